/**
 * The AWS Secrets Manager API's place at the front door (http/front-door.ts): requests signed with
 * AWS4-HMAC-SHA256 or naming an `X-Amz-Target` come here, never to the Alibaba adapter. Until the
 * adapter is written every request is answered with AWS's own error shape for an operation the
 * service does not know, so an AWS client gets a clean, parseable refusal rather than an Alibaba one.
 *
 * The adapter to come fills this plugin in like the Alibaba one: parse the JSON body, authenticate the
 * SigV4 signature, name the catalog operation and its input, `pipeline.execute(…)`, render the result or
 * map the domain error (a total `Record` over `ErrorCode`, `access_denied` → `AccessDeniedException`).
 */
import type { FastifyInstance } from 'fastify';
import { PROTOCOL_CONSTRAINT } from '../../http/front-door.js';

/** AWS JSON 1.1, the content type of Secrets Manager's answers. */
const AWS_JSON = 'application/x-amz-json-1.1';

function unknownOperation(target: string | undefined): string {
  const operation = target?.split('.').pop();
  return JSON.stringify({
    __type: 'UnknownOperationException',
    message:
      operation === undefined || !/^[A-Za-z0-9]{1,64}$/.test(operation)
        ? 'The AWS Secrets Manager API is not served yet.'
        : `The operation ${operation} is not served yet: the AWS Secrets Manager API is not available.`,
  });
}

export function awsPlaceholderPlugin() {
  return function register(app: FastifyInstance, _options: unknown, done: (error?: Error) => void): void {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, parsed) => {
      parsed(null, body);
    });
    app.route({
      method: ['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'],
      url: '/',
      constraints: { [PROTOCOL_CONSTRAINT]: 'aws' },
      handler: async (request, reply) => {
        const target = request.headers['x-amz-target'];
        return reply
          .code(400)
          .header('x-amzn-requestid', request.id)
          .type(AWS_JSON)
          .send(unknownOperation(Array.isArray(target) ? target[0] : target));
      },
    });
    app.setErrorHandler(async (error: unknown, request, reply) => {
      const status = (error as { statusCode?: unknown }).statusCode;
      const tooLarge = status === 413;
      return reply
        .code(tooLarge ? 413 : 400)
        .header('x-amzn-requestid', request.id)
        .type(AWS_JSON)
        .send(
          JSON.stringify(
            tooLarge
              ? { __type: 'ValidationException', message: 'The request body is too large.' }
              : { __type: 'SerializationException', message: 'The request could not be read.' },
          ),
        );
    });
    done();
  };
}
