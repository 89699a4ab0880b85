// Puts small real JPEGs into the bench bucket where the upload function's presigned form would have
// put them (uploads/{userId}/{yyyy}/{MM}/{32 hex}.jpg, Content-Type image/jpeg), so that the
// benchmark's POST /api/v1/posts passes the API's checks of each image key.
//
//   node upload-images.js BUCKET_URL PER_USER < users.txt > keys.tsv
//   input lines: user uuid              output lines: user uuid <TAB> key
//
// s3rver, the bench's S3 look-alike, accepts unsigned PUTs; on real S3 this would need signing.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');

const [bucketUrl, perUser] = process.argv.slice(2);
const users = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);

// A valid 8x8 grey baseline JPEG (JFIF), built by hand: one quantisation table, one Huffman code
// each for "DC difference 0" and "end of block", and one block of entropy-coded data.
function tinyJpeg() {
  const segment = (marker, body) => {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(body.length + 2);
    return Buffer.concat([Buffer.from([0xff, marker]), length, body]);
  };
  const huffman = (tableClass) => Buffer.from([tableClass, 1, ...Array(15).fill(0), 0]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]), // SOI
    segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])), // APP0 JFIF
    segment(0xdb, Buffer.from([0, ...Array(64).fill(1)])), // DQT
    segment(0xc0, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0])), // SOF0: 8x8, 1 component
    segment(0xc4, huffman(0x00)), // DHT: DC table 0
    segment(0xc4, huffman(0x10)), // DHT: AC table 0
    segment(0xda, Buffer.from([1, 1, 0, 0, 63, 0])), // SOS
    Buffer.from([0x3f]), // DC 0, EOB, padded with ones
    Buffer.from([0xff, 0xd9]), // EOI
  ]);
}

const jpeg = tinyJpeg();
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const now = new Date();
const month = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}`;

function put(key) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${bucketUrl}/${key}`, {
      method: 'PUT', agent, headers: { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length },
    }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`PUT ${key}: ${response.statusCode}`))));
    });
    request.on('error', reject);
    request.end(jpeg);
  });
}

async function main() {
  const keys = [];
  for (const user of users) {
    for (let i = 0; i < Number(perUser); i++) {
      keys.push([user, `uploads/${user}/${month}/${crypto.randomUUID().replaceAll('-', '')}.jpg`]);
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const [, key] = keys[next++];
      await put(key);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  process.stdout.write(keys.map(([user, key]) => `${user}\t${key}`).join('\n') + '\n');
  agent.destroy();
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
