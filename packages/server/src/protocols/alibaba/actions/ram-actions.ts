/** Every RAM action this endpoint answers (product version 2015-05-01), by wire name. */
import type { ActionTable } from '../action.js';
import { RAM_POLICY_ACTIONS } from './ram-policy-actions.js';
import { RAM_USER_ACTIONS } from './ram-user-actions.js';

export { RAM_API_VERSION } from './ram-wire.js';

export const RAM_ACTIONS: ActionTable = {
  ...RAM_USER_ACTIONS,
  ...RAM_POLICY_ACTIONS,
};
