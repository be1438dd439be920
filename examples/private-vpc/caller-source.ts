// The caller function's code (Node.js, inline). It signs a GET for
// execute-api with the function's role (SigV4) and calls the route. It needs
// nothing but Node.js itself: the AWS SDK that the Lambda runtime carries is
// a convenience whose contents the function does not control
// (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-package.html), so the
// signing is done here, with node:crypto, as the SigV4 guide describes:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
export const CALLER_SOURCE = `
const crypto = require('node:crypto');

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
// RFC 3986: encodeURIComponent leaves !'()* as they are
const uriEncode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const byCodePoint = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** The headers that sign a GET of url for service in region (SigV4, empty body). */
function sigV4Headers(url, region, service, { accessKeyId, secretAccessKey, sessionToken }) {
  const amzDate = new Date().toISOString().replace(/[-:]|\\.\\d{3}/g, ''); // 20250102T030405Z
  const date = amzDate.slice(0, 8);
  const headers = { host: url.host, 'x-amz-date': amzDate };
  if (sessionToken) headers['x-amz-security-token'] = sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalRequest = [
    'GET',
    // each path segment encoded once more: the URL holds it encoded once
    uriEncode(url.pathname).replace(/%2F/g, '/'),
    [...url.searchParams].map(([k, v]) => [uriEncode(k), uriEncode(v)])
      .sort((a, b) => byCodePoint(a[0], b[0]) || byCodePoint(a[1], b[1]))
      .map(([k, v]) => k + '=' + v).join('&'),
    ...names.map((n) => n + ':' + headers[n]),
    '',
    names.join(';'),
    sha256(''),
  ].join('\\n');
  const scope = [date, region, service, 'aws4_request'].join('/');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\\n');
  const signingKey = [date, region, service, 'aws4_request'].reduce(hmac, 'AWS4' + secretAccessKey);
  const signature = crypto.createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  headers.authorization = 'AWS4-HMAC-SHA256 Credential=' + accessKeyId + '/' + scope
    + ', SignedHeaders=' + names.join(';') + ', Signature=' + signature;
  return headers;
}

exports.handler = async () => {
  const url = new URL(process.env.ROUTE_URL);
  const headers = sigV4Headers(url, process.env.AWS_REGION, 'execute-api', {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    sessionToken: process.env.AWS_SESSION_TOKEN,
  });
  const response = await fetch(url, { method: 'GET', headers });
  const body = await response.text();
  console.log(JSON.stringify({ status: response.status, bytes: body.length }));
  return { status: response.status, body };
};
`;
