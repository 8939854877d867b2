/**
 * A hot statement built and compiled by Kysely once per database, then run again with new parameter
 * values: building and compiling a query costs more than SQLite takes to run a small one. The query
 * is built with marker strings in place of the named values; the compiled parameter list says where
 * each one goes. Only for statements whose SQL text does not depend on the values (no `in` lists, no
 * `is null` chosen by value).
 */
import { CompiledQuery } from 'kysely';
import type { Compilable, QueryResult } from 'kysely';

import type { Db } from './scope.js';

type Slot<P extends string> = { readonly name: P } | { readonly value: unknown };

interface Compiled<P extends string> {
  readonly sql: string;
  readonly slots: readonly Slot<P>[];
}

const MARKER = '\u0000tessera-parameter:';

export class StatementTemplate<P extends string> {
  readonly #names: readonly P[];
  readonly #build: (db: Db, values: Readonly<Record<P, never>>) => Compilable;
  /** Per Kysely adapter (one per database engine instance), as SQL text differs between engines. */
  readonly #compiled = new WeakMap<object, Compiled<P>>();

  constructor(names: readonly P[], build: (db: Db, values: Readonly<Record<P, never>>) => Compilable) {
    this.#names = names;
    this.#build = build;
  }

  async execute<R>(db: Db, values: Readonly<Record<P, unknown>>): Promise<QueryResult<R>> {
    const compiled = this.#compile(db);
    const parameters = compiled.slots.map((slot) => ('name' in slot ? values[slot.name] : slot.value));
    return db.executeQuery<R>(CompiledQuery.raw(compiled.sql, parameters));
  }

  #compile(db: Db): Compiled<P> {
    const adapter = db.getExecutor().adapter;
    let compiled = this.#compiled.get(adapter);
    if (compiled === undefined) {
      const markers = Object.fromEntries(this.#names.map((name) => [name, `${MARKER}${name}`])) as Record<
        P,
        never
      >;
      const query = this.#build(db, markers).compile();
      const names = new Set<string>(this.#names);
      compiled = {
        sql: query.sql,
        slots: query.parameters.map((parameter): Slot<P> => {
          if (typeof parameter === 'string' && parameter.startsWith(MARKER)) {
            const name = parameter.slice(MARKER.length);
            if (names.has(name)) return { name: name as P };
          }
          return { value: parameter };
        }),
      };
      this.#compiled.set(adapter, compiled);
    }
    return compiled;
  }
}
