/** Every RAM action this endpoint answers (product version 2015-05-01), by wire name. */
import type { RamOperationName } from '../../../domain/operations.js';
import type { ActionHandler } from '../action.js';
import { RAM_POLICY_ACTIONS } from './ram-policy-actions.js';
import { RAM_LOGIN_ACTIONS } from './ram-login-actions.js';
import { RAM_USER_ACTIONS } from './ram-user-actions.js';

export { RAM_API_VERSION } from './ram-wire.js';

/** Typed by the operation catalog: a RAM operation without its action does not compile. */
export const RAM_ACTIONS: { readonly [N in RamOperationName]: ActionHandler } = {
  ...RAM_USER_ACTIONS,
  ...RAM_POLICY_ACTIONS,
  ...RAM_LOGIN_ACTIONS,
};
