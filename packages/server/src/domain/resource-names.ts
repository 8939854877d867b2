/**
 * How each protocol names Tessera's resources (ARNs). One namer per naming scheme, built from the
 * installation's region and account, so that no ARN is spelt twice:
 * - `acsNamer`: Alibaba Cloud's `acs:kms:<region>:<account>:secret/<name>`, `…:key/<id>`,
 *   `…:alias/<name>`. Policies (RAM and secret policies) are written in this language, so access
 *   decisions use it whatever protocol the request came through.
 * - `awsNamer`: AWS's `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>`, where the
 *   suffix is the secret's immutable random `arnSuffix`, and `arn:aws:kms:…:key/<id>`, `…:alias/<name>`.
 */

export interface InstanceNames {
  readonly region: string;
  readonly accountId: string;
}

export interface ResourceNamer {
  secret(secret: { readonly name: string; readonly arnSuffix?: string }): string;
  key(keyId: string): string;
  /** Alias names are written with or without their `alias/` prefix; the ARN always has it. */
  alias(aliasName: string): string;
}

const withAliasPrefix = (aliasName: string): string =>
  aliasName.startsWith('alias/') ? aliasName : `alias/${aliasName}`;

export function acsNamer({ region, accountId }: InstanceNames): ResourceNamer {
  const prefix = `acs:kms:${region}:${accountId}`;
  return {
    secret: ({ name }) => `${prefix}:secret/${name}`,
    key: (keyId) => `${prefix}:key/${keyId}`,
    alias: (aliasName) => `${prefix}:${withAliasPrefix(aliasName)}`,
  };
}

export function awsNamer({ region, accountId }: InstanceNames, partition = 'aws'): ResourceNamer {
  return {
    secret: ({ name, arnSuffix }) =>
      `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}${arnSuffix === undefined ? '' : `-${arnSuffix}`}`,
    key: (keyId) => `arn:${partition}:kms:${region}:${accountId}:key/${keyId}`,
    alias: (aliasName) => `arn:${partition}:kms:${region}:${accountId}:${withAliasPrefix(aliasName)}`,
  };
}
