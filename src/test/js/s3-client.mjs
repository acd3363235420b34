// Drives Granary's S3 listener with the AWS SDK for JavaScript v3 as an application would use it:
// only the endpoint, the region and path style are set, every checksum default is left as shipped.
// JsSdkTest runs it with node and reads its one line of JSON; any failure is a stack trace on
// stderr and exit code 1.
//
// Environment: S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, BUCKET, and DATA_DIR, which
// holds the files the test wrote: small.bin, stream.bin and big.bin (larger than 5 MiB).
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, CopyObjectCommand,
  DeleteObjectsCommand, ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const bucket = env('BUCKET');
const dataDir = env('DATA_DIR');
const require = createRequire(import.meta.url);

const s3 = new S3Client({
  endpoint: env('S3_ENDPOINT'),
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: env('AWS_ACCESS_KEY_ID'), secretAccessKey: env('AWS_SECRET_ACCESS_KEY') },
  maxAttempts: 1, // a refusal is reported, not retried away
});

// What each request looked like once signed (the last step before it is sent): how the SDK framed
// the payload and which checksum it announced.
const sent = [];
s3.middlewareStack.add((next, context) => async (args) => {
  const headers = Object.fromEntries(Object.entries(args.request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  sent.push({
    command: context.commandName,
    contentSha256: headers['x-amz-content-sha256'],
    contentEncoding: headers['content-encoding'],
    trailer: headers['x-amz-trailer'],
    checksumHeaders: Object.keys(headers).filter((name) => name.startsWith('x-amz-checksum-')).sort(),
  });
  return next(args);
}, { step: 'deserialize', name: 'granaryRequestRecorder' });

function fail(message) {
  throw new Error(message);
}

async function bytesOf(key) {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { etag: got.ETag, bytes: Buffer.from(await got.Body.transformToByteArray()) };
}

async function expectSame(key, expected) {
  const { etag, bytes } = await bytesOf(key);
  if (!bytes.equals(expected)) fail(`GetObject ${key}: ${bytes.length} bytes read back differ from the ${expected.length} sent`);
  return etag;
}

async function main() {
  const etags = {};
  const small = readFileSync(join(dataDir, 'small.bin'));
  const streamed = readFileSync(join(dataDir, 'stream.bin'));
  const big = readFileSync(join(dataDir, 'big.bin'));

  await s3.send(new CreateBucketCommand({ Bucket: bucket }));

  // PutObject with a Buffer (the SDK puts its checksum in a header) and with a stream (an aws-chunked
  // body with the checksum in a trailer).
  etags['small.bin'] = (await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: 'small.bin', Body: small, ContentType: 'application/x-small', Metadata: { origin: 'js-sdk' },
  }))).ETag;
  etags['stream.bin'] = (await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: 'stream.bin', Body: createReadStream(join(dataDir, 'stream.bin')),
    ContentLength: statSync(join(dataDir, 'stream.bin')).size,
  }))).ETag;

  // Multipart: lib-storage's Upload splits a body larger than its 5 MiB part size into parts.
  const upload = new Upload({
    client: s3, params: { Bucket: bucket, Key: 'big.bin', Body: createReadStream(join(dataDir, 'big.bin')) },
    partSize: 5 * 1024 * 1024, queueSize: 2,
  });
  etags['big.bin'] = (await upload.done()).ETag;

  etags['copy/stream.bin'] = (await s3.send(new CopyObjectCommand({
    Bucket: bucket, Key: 'copy/stream.bin', CopySource: `${bucket}/stream.bin`,
  }))).CopyObjectResult.ETag;

  // Everything reads back as sent.
  for (const [key, data] of [['small.bin', small], ['stream.bin', streamed], ['big.bin', big], ['copy/stream.bin', streamed]]) {
    const etag = await expectSame(key, data);
    if (etag !== etags[key]) fail(`GetObject ${key}: ETag ${etag}, but the write answered ${etags[key]}`);
  }
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'small.bin' }));
  if (head.Metadata.origin !== 'js-sdk' || head.ContentType !== 'application/x-small' || head.ContentLength !== small.length) {
    fail(`HeadObject small.bin: ${JSON.stringify({ metadata: head.Metadata, type: head.ContentType, length: head.ContentLength })}`);
  }

  // ListObjectsV2, three keys a page, following the continuation token.
  const listed = [];
  for (let i = 0; i < 7; i++) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `list/${i}`, Body: `item ${i}` }));
  }
  const pages = [];
  let token;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'list/', MaxKeys: 3, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((object) => object.Key);
    pages.push(keys.length);
    listed.push(...keys);
    if (page.KeyCount !== keys.length) fail(`ListObjectsV2: KeyCount ${page.KeyCount} for ${keys.length} keys`);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (page.IsTruncated && !token) fail('ListObjectsV2: truncated without a NextContinuationToken');
  } while (token);

  // DeleteObjects: four listed keys and one that never existed; S3 counts that one as deleted too.
  const deleted = await s3.send(new DeleteObjectsCommand({
    Bucket: bucket,
    Delete: { Objects: ['list/0', 'list/1', 'list/2', 'list/3', 'list/never'].map((Key) => ({ Key })) },
  }));
  if ((deleted.Errors ?? []).length > 0) fail(`DeleteObjects: errors ${JSON.stringify(deleted.Errors)}`);
  const remaining = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'list/' }));

  console.log(JSON.stringify({
    sdkVersion: require('@aws-sdk/client-s3/package.json').version,
    libStorageVersion: require('@aws-sdk/lib-storage/package.json').version,
    node: process.version,
    etags,
    listed,
    pages,
    deleted: (deleted.Deleted ?? []).map((object) => object.Key).sort(),
    remaining: (remaining.Contents ?? []).map((object) => object.Key),
    sent,
  }));
}

main().catch((error) => {
  // What the SDK was told: the S3 error's code, status and request id, then the stack.
  const meta = error.$metadata ? ` (HTTP ${error.$metadata.httpStatusCode}, request id ${error.$metadata.requestId})` : '';
  console.error(`${error.name}: ${error.message}${meta}`);
  if (sent.length > 0) console.error(`the last request sent: ${JSON.stringify(sent[sent.length - 1])}`);
  console.error(error.stack);
  process.exit(1);
});
