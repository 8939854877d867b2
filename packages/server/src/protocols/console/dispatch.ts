/**
 * The console's calls run as the Alibaba API's actions (the page speaks that vocabulary), with the
 * signed-in user as the principal and `console` as the protocol the audit trail records. The operation
 * pipeline decides access and records the outcome exactly as for a signed request.
 */
import type { OperationPipeline } from '../../services/operations/pipeline.js';
import type { AlibabaDispatchOptions, CallProgress } from '../alibaba/dispatch.js';
import { dispatchAlibabaCall, toWireError } from '../alibaba/dispatch.js';
import { Params } from '../alibaba/params.js';
import { requestSubject } from '../alibaba/request-subject.js';
import type { ConsoleDispatch } from './plugin.js';

/** The access-key id the trail records for a console request: no key signed it, a session did. */
export function consoleAccessKeyId(userName: string): string {
  return `console:${userName}`;
}

export function consoleDispatch(
  options: AlibabaDispatchOptions & { pipeline: OperationPipeline },
): ConsoleDispatch {
  return async (call) => {
    const { request } = call;
    const params = new Params(call.params);
    const principal = { accessKeyId: consoleAccessKeyId(call.userName), userName: call.userName };
    const subject = requestSubject(request, params);
    const progress: CallProgress = {};
    try {
      const result = await dispatchAlibabaCall(
        options,
        {
          version: call.version,
          action: call.action,
          params,
          principal,
          method: 'POST',
          protocol: 'console',
          requestId: request.id,
          connection: {
            sourceIp: request.raw.socket.remoteAddress,
            secureTransport: (request.raw.socket as { encrypted?: boolean }).encrypted === true,
          },
          subject,
        },
        progress,
      );
      return { status: 200, body: { RequestId: request.id, ...result } };
    } catch (error) {
      let wire = toWireError(error, progress.product);
      if (wire.status >= 500) request.log.error({ err: error, action: call.action }, 'console call failed');
      if (!progress.inPipeline) {
        // An unknown version or action never reached the pipeline: the trail still records it.
        try {
          await options.pipeline.recordRefusal({
            protocol: 'console',
            requestId: request.id,
            operation: /^[A-Za-z]{1,64}$/.test(call.action) ? call.action : undefined,
            principal,
            subject,
            outcome: { code: wire.code, status: wire.status },
          });
        } catch (failure) {
          wire = toWireError(failure, progress.product);
        }
      }
      return {
        status: wire.status,
        body: { RequestId: request.id, Code: wire.code, Message: wire.message, HttpStatus: wire.status },
      };
    }
  };
}
