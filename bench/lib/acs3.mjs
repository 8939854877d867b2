// Signed requests as raw HTTP/1.1 bytes, the way @tessera/sdk sends them (POST /?<canonical query>,
// empty body, ACS3-HMAC-SHA256 over host and every x-acs-* header), signed with the SDK's own signer
// from packages/sdk/dist. Each request gets a fresh nonce and date, as the server refuses replays.
import { randomUUID } from 'node:crypto';
import {
  EMPTY_PAYLOAD_HASH,
  acsDate,
  authorization,
  canonicalQuery,
} from '../../packages/sdk/dist/signer.js';
import { API_VERSION } from '../../packages/sdk/dist/transport.js';
import { SDK_VERSION } from '../../packages/sdk/dist/version.js';

const USER_AGENT = `tessera-sdk/${SDK_VERSION} node/${process.versions.node}`;

let cachedSecond = -1;
let cachedDate = '';
/** `x-acs-date` changes once a second; formatting it per request would be wasted generator time. */
function currentDate() {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = acsDate(now);
  }
  return cachedDate;
}

/**
 * The bytes of one signed call. `host` is `127.0.0.1:port` exactly as the server will see it (it is
 * signed). Parameters travel in the query, as the SDK puts them.
 */
export function signedRequest({ host, action, params, accessKeyId, accessKeySecret }) {
  const query = canonicalQuery(params);
  const acsHeaders = {
    'x-acs-action': action,
    'x-acs-version': API_VERSION,
    'x-acs-date': currentDate(),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': EMPTY_PAYLOAD_HASH,
  };
  const auth = authorization(
    { method: 'POST', path: '/', query, headers: { host, ...acsHeaders }, payloadHash: EMPTY_PAYLOAD_HASH },
    accessKeyId,
    accessKeySecret,
  );
  let head = `POST /${query === '' ? '' : `?${query}`} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [name, value] of Object.entries(acsHeaders)) head += `${name}: ${value}\r\n`;
  head += `authorization: ${auth}\r\naccept: application/json\r\nuser-agent: ${USER_AGENT}\r\ncontent-length: 0\r\n\r\n`;
  return head;
}
