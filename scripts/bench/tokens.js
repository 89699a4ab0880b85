// Mints RS256 access tokens for seeded users, as the API's own TokenIssuer would (same claims, same
// kid), so the benchmark can act as thousands of real users without logging each one in (a login
// is a deliberately slow password hash and is rate limited).
//
//   node tokens.js KEY.pem ISSUER LIFETIME_SECONDS < users.tsv > tokens.tsv
//   input lines:  uuid <TAB> username        output lines: uuid <TAB> username <TAB> token
//   node tokens.js KEY.pem --kid             prints the key id (to compare with /.well-known/jwks.json)
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');

const [keyPath, issuer, lifetime] = process.argv.slice(2);
const key = crypto.createPrivateKey(fs.readFileSync(keyPath));
const jwk = crypto.createPublicKey(key).export({ format: 'jwk' });
const b64url = (buffer) => Buffer.from(buffer).toString('base64url');
// RFC 7638 thumbprint: the required members in lexicographic order, no whitespace.
const kid = b64url(crypto.createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest());

if (issuer === '--kid') {
  console.log(kid);
  process.exit(0);
}

const header = b64url(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' }));
const now = Math.floor(Date.now() / 1000);
const lines = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);
const out = [];
for (const line of lines) {
  const [uuid, username] = line.split('\t');
  const payload = b64url(JSON.stringify({
    iss: issuer,
    aud: 'foodcommunity-api',
    sub: uuid,
    exp: now + Number(lifetime),
    nbf: now - 5,
    iat: now - 5,
    jti: crypto.randomUUID().replaceAll('-', ''),
    scope: 'api uploads',
  }));
  const signature = crypto.sign('sha256', Buffer.from(`${header}.${payload}`), key);
  out.push(`${uuid}\t${username}\t${header}.${payload}.${b64url(signature)}`);
}
process.stdout.write(out.join('\n') + '\n');
