/** Every KMS action this endpoint answers, by wire name. Each table lives beside the actions it lists. */
import type { KmsOperationName } from '../../../domain/operations.js';
import type { ActionHandler } from '../action.js';
import { ALIAS_ACTIONS } from './alias-actions.js';
import { CRYPTO_ACTIONS } from './crypto-actions.js';
import { DATABASE_INSTANCE_ACTIONS } from './database-instance-actions.js';
import { KEY_ACTIONS } from './key-actions.js';
import { KEY_HYGIENE_ACTIONS } from './key-hygiene-actions.js';
import { ROTATION_ACTIONS } from './rotation-actions.js';
import { SECRET_ACTIONS } from './secret-actions.js';
import { SECRET_VALUE_ACTIONS } from './secret-value-actions.js';
import { TAG_ACTIONS } from './tag-actions.js';

/** Typed by the operation catalog: a KMS operation without its action does not compile. */
export const KMS_ACTIONS: { readonly [N in KmsOperationName]: ActionHandler } = {
  ...SECRET_VALUE_ACTIONS,
  ...SECRET_ACTIONS,
  ...TAG_ACTIONS,
  ...KEY_ACTIONS,
  ...KEY_HYGIENE_ACTIONS,
  ...ALIAS_ACTIONS,
  ...CRYPTO_ACTIONS,
  ...ROTATION_ACTIONS,
  ...DATABASE_INSTANCE_ACTIONS,
};
