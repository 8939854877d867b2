/**
 * The offline operations the `tessera` CLI runs with the server's own settings (docs/operations.md):
 * backup, restore and root-key rotation. Exported as `@tessera/server/operations`.
 */
export { backup } from './backup.js';
export type { BackupReport } from './backup.js';
export { OperationError } from './context.js';
export { restore } from './restore.js';
export type { RestoreReport } from './restore.js';
export { readNewRootKey, resealStore, rotateRootKey } from './root-key-rotation.js';
export type { ResealCounts, RootKeyRotationReport } from './root-key-rotation.js';
export { ConfigError } from '../config/config.js';
