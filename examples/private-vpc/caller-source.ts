// The caller function's code (Node.js 22, inline). It signs a GET with the
// function's role for execute-api (SigV4) and calls the route. The signer
// comes with the AWS SDK v3 that the Lambda Node.js runtime includes; the
// hashes come from node:crypto, so the function has no package of its own.
export const CALLER_SOURCE = `
const crypto = require('node:crypto');
const { SignatureV4 } = require('@smithy/signature-v4');

class Sha256 {
  constructor(secret) { this.h = secret ? crypto.createHmac('sha256', secret) : crypto.createHash('sha256'); }
  update(data) { this.h.update(data); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

exports.handler = async () => {
  const url = new URL(process.env.ROUTE_URL);
  const signer = new SignatureV4({
    service: 'execute-api',
    region: process.env.AWS_REGION,
    sha256: Sha256,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
      sessionToken: process.env.AWS_SESSION_TOKEN,
    },
  });
  const signed = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.hostname },
  });
  const response = await fetch(url, { method: 'GET', headers: signed.headers });
  const body = await response.text();
  console.log(JSON.stringify({ status: response.status, bytes: body.length }));
  return { status: response.status, body };
};
`;
