/**
 * What an action module is: a function from the parsed, authenticated request to a response body.
 * It reads parameters through `Params`, calls services, and encodes through `codec.ts`; it never
 * touches storage or crypto, and lets errors bubble to the plugin's error handler.
 */
import type { OperationAccess } from '../../services/operations/access.js';
import type { Principal } from '../../services/operations/request.js';
import type { InstanceIdentity, Services } from '../../services/services.js';
import type { WireBody } from './codec.js';
import type { Params } from './params.js';

export type { Principal } from '../../services/operations/request.js';

export interface ActionContext {
  readonly params: Params;
  readonly services: Services;
  readonly identity: InstanceIdentity;
  readonly principal: Principal;
  readonly requestId: string;
  readonly method: 'GET' | 'POST';
  /** The service key's id: secrets under it report no EncryptionKeyId. */
  readonly serviceKeyId: string;
  /** Records what the request was about, for the request log line (never values). */
  readonly noteResource: (resource: string) => void;
  /** The request is a dry run (`DryRun=true`): the pipeline withholds the result (docs/behaviour.md rule 14). */
  readonly markDryRun: () => void;
  /**
   * The caller's access checks, from the operation pipeline (services/operations/). Actions on named
   * secrets and keys call it once they know the resource; the pipeline has already checked every other
   * operation, and refuses an answer no check settled.
   */
  readonly access: OperationAccess;
}

export type ActionHandler = (context: ActionContext) => Promise<WireBody>;

export type ActionTable = Readonly<Record<string, ActionHandler>>;
