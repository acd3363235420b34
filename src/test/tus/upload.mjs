// Uploads a file to Granary's tus endpoint with tus-js-client, interrupted on purpose:
// the first upload is aborted once its first chunk is stored, a second Upload resumes at
// the URL the first one created (it asks the offset with HEAD) and finishes.
// Usage: node upload.mjs <endpoint> <api-key> <file> <chunk-size> <object-key>
// Prints one JSON line: {"url", "acceptedBeforeAbort", "resumedAt", "offset"}.
import { readFileSync } from 'node:fs';
import * as tus from 'tus-js-client';

const [endpoint, apiKey, file, chunkSize, objectKey] = process.argv.slice(2);
const data = readFileSync(file);
const common = {
  headers: { 'X-Api-Key': apiKey },
  chunkSize: Number(chunkSize),
  metadata: { key: objectKey, contentType: 'application/octet-stream' },
  retryDelays: [],
};

function firstChunkThenAbort() {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(data, {
      ...common,
      endpoint,
      onError: reject,
      onSuccess: () => reject(new Error('the first upload was meant to be aborted before the end')),
      onChunkComplete: (size, accepted) => {
        upload.abort().then(() => resolve({ url: upload.url, accepted }), reject);
      },
    });
    upload.start();
  });
}

function resume(url) {
  return new Promise((resolve, reject) => {
    let resumedAt = null;
    const upload = new tus.Upload(data, {
      ...common,
      uploadUrl: url,
      onError: reject,
      onProgress: (sent) => {
        if (resumedAt === null) {
          resumedAt = upload._offset ?? null;
        }
      },
      onSuccess: () => resolve({ resumedAt, offset: upload._offset }),
    });
    upload.start();
  });
}

try {
  const first = await firstChunkThenAbort();
  const second = await resume(first.url);
  console.log(JSON.stringify({ url: first.url, acceptedBeforeAbort: first.accepted, ...second }));
} catch (error) {
  console.error(String(error && error.stack || error));
  process.exit(1);
}
