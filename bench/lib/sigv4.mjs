// Signed AWS Secrets Manager requests as raw HTTP/1.1 bytes, the way the AWS SDK for JavaScript v3 sends
// them (POST /, JSON 1.1 body, `X-Amz-Target`, AWS4-HMAC-SHA256 over host, x-amz-date, x-amz-target and
// the payload hash), signed with the server's own SigV4 functions from packages/server/dist, which its
// tests check against the official SDK's signer. SigV4 has no nonce: the date changes once a second.
import { Buffer } from 'node:buffer';
import {
  canonicalRequest,
  formatAmzDate,
  scopeString,
  sha256Hex,
  signature,
  signingKey,
  stringToSign,
} from '../../packages/server/dist/protocols/aws/sigv4.js';

const REGION = 'us-east-1';
const SERVICE = 'secretsmanager';

let cachedSecond = -1;
let cachedDate = '';
function currentDate() {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = formatAmzDate(now);
  }
  return cachedDate;
}

/** The bytes of one signed call: `operation` (e.g. GetSecretValue) with `input` as its JSON body. */
export function signedAwsRequest({ host, operation, input, accessKeyId, accessKeySecret }) {
  const body = JSON.stringify(input);
  const payloadHash = sha256Hex(body);
  const amzDate = currentDate();
  const scope = { date: amzDate.slice(0, 8), region: REGION, service: SERVICE, terminator: 'aws4_request' };
  const headers = {
    host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-date': amzDate,
    'x-amz-target': `secretsmanager.${operation}`,
    'x-amz-content-sha256': payloadHash,
  };
  const signedHeaders = Object.keys(headers).sort();
  const canonical = canonicalRequest({
    method: 'POST',
    rawPath: '/',
    query: [],
    headers,
    signedHeaders,
    payloadHash,
  });
  const sig = signature(
    signingKey(accessKeySecret, scope),
    stringToSign(amzDate, scopeString(scope), canonical),
  );
  const auth =
    `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scopeString(scope)}, ` +
    `SignedHeaders=${signedHeaders.join(';')}, Signature=${sig}`;
  let head = 'POST / HTTP/1.1\r\n';
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  head += `authorization: ${auth}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return head + body;
}
