// Uploads one file to Granary's tus endpoint with tus-js-client through a TCP proxy that cuts
// every connection once it has carried a random number of request bytes (between min and max):
// odd cuts reset both sides, even ones end them (the server sees the end of the stream). The
// client retries and resumes from the offset HEAD reports, as a browser or app on a bad link
// would. Run from a directory with tus-js-client installed (bench/flaky-upload.sh does that).
// Usage: node flaky-upload.mjs <granary-port> <bucket> <api-key> <file> <object-key> <min-bytes> <max-bytes>
// Prints one JSON line: {"url", "size", "seconds", "cuts", "forwardedBytes"}.
import { createReadStream, statSync } from 'node:fs';
import net from 'node:net';
import * as tus from 'tus-js-client';

const [granaryPort, bucket, apiKey, file, objectKey, minBytes, maxBytes] = process.argv.slice(2);
const min = Number(minBytes);
const max = Number(maxBytes);
let cuts = 0;
let forwarded = 0;

const proxy = net.createServer((client) => {
  const upstream = net.connect(Number(granaryPort), '127.0.0.1');
  let budget = min + Math.floor(Math.random() * (max - min + 1));
  let cut = false;
  const cutNow = () => {
    cut = true;
    cuts++;
    if (cuts % 2 === 1) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    } else {
      upstream.end();
      client.destroy();
    }
  };
  client.on('data', (chunk) => {
    if (cut) {
      return;
    }
    if (chunk.length >= budget) {
      // The part of this chunk within the budget still reaches the server before the cut.
      upstream.write(chunk.subarray(0, budget));
      forwarded += budget;
      cutNow();
      return;
    }
    budget -= chunk.length;
    forwarded += chunk.length;
    if (!upstream.write(chunk)) {
      client.pause();
    }
  });
  upstream.on('drain', () => client.resume());
  upstream.on('data', (chunk) => client.write(chunk));
  upstream.on('end', () => client.end());
  client.on('end', () => upstream.end());
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
});

await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${proxy.address().port}/v1/tus/${bucket}`;
const size = statSync(file).size;
const started = process.hrtime.bigint();

try {
  const url = await new Promise((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(file), {
      endpoint,
      headers: { 'X-Api-Key': apiKey },
      metadata: { key: objectKey, contentType: 'application/octet-stream' },
      uploadSize: size,
      // Every failure is retried after a short pause (a 409 while the cut-off PATCH still
      // holds the upload's lock included); the client asks the offset with HEAD each time.
      retryDelays: new Array(100000).fill(200),
      onError: reject,
      onSuccess: () => resolve(upload.url),
    });
    upload.start();
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ url, size, seconds, cuts, forwardedBytes: forwarded }));
} catch (error) {
  console.error(String((error && error.stack) || error));
  process.exitCode = 1;
}
// Idle keep-alive connections would hold the process open.
process.exit();
