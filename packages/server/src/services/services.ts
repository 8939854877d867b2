import type { ConsoleLoginService } from './console-login-service.js';
import type { AccessKeyService } from './access-key-service.js';
import type { AuditService } from './audit-service.js';
import type { IdentityService } from './identity-service.js';
import type { DatabaseInstanceService } from './database-instance-service.js';
import type { DataKeyRewrap } from './data-key-rewrap.js';
import type { KeyRotationPass } from './key-rotation-pass.js';
import type { KeyService } from './key-service.js';
import type { PagingTokens } from './paging-tokens.js';
import type { PasswordService } from './password-service.js';
import type { ReplayGuard } from './replay-guard.js';
import type { RotationAuthorization } from './rotation/rotation-authorization.js';
import type { RotationService } from './rotation/rotation-service.js';
import type { RotationScheduler } from './rotation/scheduler.js';
import type { RotationWebhookService } from './rotation/webhook-service.js';
import type { SecretPolicyCache } from './secret-policy-cache.js';
import type { SecretService } from './secret-service.js';

/** The service layer as protocol adapters see it. */
export interface Services {
  readonly secrets: SecretService;
  readonly keys: KeyService;
  readonly accessKeys: AccessKeyService;
  readonly passwords: PasswordService;
  readonly audit: AuditService;
  /** Secret policies compiled for access decisions. */
  readonly secretPolicies: SecretPolicyCache;
  readonly identities: IdentityService;
  readonly rotation: RotationService;
  readonly rotationWebhooks: RotationWebhookService;
  /** Who may steer a rotator: the checks on rotator bindings and database instance changes. */
  readonly rotationAuthorization: RotationAuthorization;
  /** The rotation schedule; tests call `tick()` on it after moving their clock. */
  readonly rotationScheduler: RotationScheduler;
  readonly databases: DatabaseInstanceService;
  /** Console sign-in: login profiles, MFA, sessions. */
  readonly consoleLogins: ConsoleLoginService;
  /** Seals and opens listings' continuation tokens (NextToken, Marker), bound to the caller. */
  readonly pagingTokens: PagingTokens;
  /** Signature nonces accepted within the timestamp window, persisted across restarts. */
  readonly replayGuard: ReplayGuard;
  /** Automatic key rotation; runs in the rotation scheduler's tick. */
  readonly keyRotation: KeyRotationPass;
  /** Re-wraps secret versions' data keys under their key's newest version (docs/crypto.md). */
  readonly dataKeyRewrap: DataKeyRewrap;
}

/** Facts about this installation that appear in ARNs and region listings. */
export interface InstanceIdentity {
  readonly region: string;
  readonly accountId: string;
}
