/**
 * The conformance suite every `Store` implementation must pass, whatever engine is underneath. It
 * registers vitest `describe`/`it` blocks, so call it at the top level of a test file:
 *
 * ```ts
 * describeStoreConformance('sqlite (memory)', () => openSqliteStore({ path: ':memory:' }));
 * ```
 *
 * Each case opens a store of its own with `open` and closes it afterwards, so `open` must return an
 * empty, migrated store every time (a new file, a new in-memory database, a new PostgreSQL schema).
 * The cases assume nothing about the engine: no SQL, no driver types, byte arrays compared by value.
 */
import { afterEach, beforeEach, describe } from 'vitest';

import { describeAuditCases } from './conformance/audit-cases.js';
import { describeIdentityCases } from './conformance/identity-cases.js';
import { describeDatabaseInstanceCases } from './conformance/database-instance-cases.js';
import { describeConsoleLoginCases } from './conformance/console-login-cases.js';
import { describeKeyCases } from './conformance/key-cases.js';
import { describeKeyHygieneCases } from './conformance/key-hygiene-cases.js';
import { describeRotationCases } from './conformance/rotation-cases.js';
import { describeRowTransferCases } from './conformance/row-transfer-cases.js';
import { describeSecretCases } from './conformance/secret-cases.js';
import { describeSecretListCases } from './conformance/secret-list-cases.js';
import { describeSecretPagingCases } from './conformance/secret-paging-cases.js';
import { describeSecretPolicyCases } from './conformance/secret-policy-cases.js';
import { describeSecretModelProperty } from './conformance/secret-model-property.js';
import { describeSmallCases } from './conformance/small-cases.js';
import { describeTransactionCases } from './conformance/transaction-cases.js';
import type { StoreRef } from './conformance/fixtures.js';
import type { Store } from './store.js';

/**
 * Registers the store conformance cases under `"<name>: store conformance"`.
 *
 * @param name Names the implementation in test titles, e.g. `sqlite (file)`.
 * @param open Opens a fresh, empty, migrated store; called once per case.
 */
export function describeStoreConformance(name: string, open: () => Promise<Store>): void {
  describeWithStore(`${name}: store conformance`, open, (store) => {
    describeSecretCases(store);
    describeSecretListCases(store);
    describeSecretPagingCases(store);
    describeSecretPolicyCases(store);
    describeSecretModelProperty(store);
    describeKeyCases(store);
    describeKeyHygieneCases(store);
    describeSmallCases(store);
    describeTransactionCases(store);
    describeAuditCases(store);
    describeIdentityCases(store);
    describeRotationCases(store);
    describeDatabaseInstanceCases(store);
    describeRowTransferCases(store, open);
    describeConsoleLoginCases(store);
  });
}

/**
 * Registers only the secret listing cases, under `"<name>: listing conformance"`: for a store opened
 * with other listing settings (page boundaries kept or not) than the full run's.
 */
export function describeListingConformance(name: string, open: () => Promise<Store>): void {
  describeWithStore(`${name}: listing conformance`, open, (store) => {
    describeSecretListCases(store);
    describeSecretPagingCases(store);
  });
}

function describeWithStore(
  title: string,
  open: () => Promise<Store>,
  register: (store: StoreRef) => void,
): void {
  describe(title, () => {
    let current: Store | undefined;

    beforeEach(async () => {
      current = await open();
    });

    afterEach(async () => {
      const store = current;
      current = undefined;
      await store?.close();
    });

    const store = (): Store => {
      if (!current) throw new Error('The conformance store is only open while a case runs.');
      return current;
    };

    register(store);
  });
}
