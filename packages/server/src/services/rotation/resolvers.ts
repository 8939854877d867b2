import type { RotationTarget, Rotator, RotatorResolver } from './rotator.js';

/** Asks each resolver in turn; the first that accepts the secret rotates it (`app.ts` lists them). */
export function composeResolvers(...resolvers: readonly RotatorResolver[]): RotatorResolver {
  return {
    rotatorFor(target: RotationTarget): Rotator | undefined {
      for (const resolver of resolvers) {
        const rotator = resolver.rotatorFor(target);
        if (rotator) return rotator;
      }
      return undefined;
    },
  };
}
