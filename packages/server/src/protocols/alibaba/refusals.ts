/**
 * The Alibaba shape of the refusals the HTTP server makes below this adapter (unknown paths and methods,
 * requests Node's parser cannot read, headers over the limit): the same six fields as every other error
 * of this API, so that a client's error handling works the same whatever was wrong with its request.
 */
import type { HttpRefusals, RefusalKind } from '../../http/refusals.js';
import { ProtocolError } from './errors.js';
import { CONTENT_TYPES, render } from './render.js';

function refusalError(kind: RefusalKind): ProtocolError {
  switch (kind) {
    case 'not-found':
      return new ProtocolError(
        404,
        'InvalidAction.NotFound',
        'Specified api is not found, please check your url and method.',
      );
    case 'method-not-allowed':
      return new ProtocolError(
        403,
        'UnsupportedHTTPMethod',
        'The HTTP method is not supported; use GET or POST.',
      );
    case 'malformed':
      return new ProtocolError(400, 'ParseRequestParameterException', 'The request is not well-formed HTTP.');
    case 'headers-too-large':
      return new ProtocolError(431, 'Rejected.EntityTooLarge', 'The request line and headers are too large.');
    case 'body-too-large':
      return new ProtocolError(413, 'Rejected.EntityTooLarge', 'The request body is too large.');
    case 'timeout':
      return new ProtocolError(408, 'RequestTimeout', 'The request did not arrive completely in time.');
    case 'internal':
      return new ProtocolError(500, 'InternalFailure', 'Internal Failure.');
  }
}

/** The Host header when it is a plain host name or address, else the server's name (it is echoed back). */
function hostIdFrom(host: string | undefined): string {
  return host !== undefined && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? host : 'tessera';
}

export const ALIBABA_REFUSALS: HttpRefusals = {
  paths: new Set(['/']),
  render(kind, { requestId, host }) {
    const error = refusalError(kind);
    return {
      status: error.status,
      contentType: CONTENT_TYPES.json,
      body: render('json', 'Error', {
        RequestId: requestId,
        HostId: hostIdFrom(host),
        Code: error.code,
        Message: error.message,
        Recommend: `See docs/errors.md in Tessera for ${error.code}.`,
        HttpStatus: error.status,
      }),
    };
  },
};
