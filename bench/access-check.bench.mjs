// In-process cost of the access check on GetSecretValue's path (issue 5): building the request's
// RequestAccess and running its secret guard on a loaded secret, for the administrator (account root,
// the secret has the default policy) and for a RAM user with a two-statement policy. The secret policy
// comes from a cache hit, as on a warm server; storage, HTTP and signatures are not included.
//
// Run from the repository root:  npm run build && node bench/access-check.bench.mjs
// Settings (environment): BENCH_ITERATIONS (default 200000), BENCH_ROUNDS (default 5).
import { availableParallelism, loadavg } from 'node:os';
import { parseRamPolicy } from '../packages/server/dist/domain/ram-policy.js';
import { RequestAccess } from '../packages/server/dist/protocols/alibaba/access.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const secret = { id: 's1', name: 'app/db', tags: [{ key: 'team', value: 'payments' }] };
const services = { secretPolicies: { policyOf: async () => undefined }, secrets: {}, keys: {} };
const identity = { region: 'cn-hangzhou', accountId: '1234567890' };
const policy = parseRamPolicy(
  JSON.stringify({
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: ['kms:GetSecretValue'], Resource: ['acs:kms:*:*:secret/app/*'] },
      { Effect: 'Deny', Action: ['kms:*'], Resource: ['acs:kms:*:*:secret/app/prod/*'] },
    ],
  }),
);
const policies = { policiesFor: async () => [policy] };

async function round(userName, iterations) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const access = new RequestAccess({
      services,
      identity,
      policies,
      product: 'kms',
      action: 'GetSecretValue',
      principal: { accessKeyId: 'AK', userName },
      context: { sourceIp: '127.0.0.1', secureTransport: false, currentTime: Date.now() },
    });
    await access.secretGuard()(secret);
  }
  return Number(process.hrtime.bigint() - start) / iterations;
}

const results = {};
for (const [label, userName] of [
  ['administrator', 'administrator'],
  ['RAM user, 2 statements', 'reader'],
]) {
  await round(userName, ITERATIONS / 4);
  const times = [];
  for (let r = 0; r < ROUNDS; r++) times.push(await round(userName, ITERATIONS));
  times.sort((a, b) => a - b);
  results[label] = { medianNs: Math.round(times[Math.floor(ROUNDS / 2)]), minNs: Math.round(times[0]) };
  console.log(`${label}: median ${results[label].medianNs} ns, best ${results[label].minNs} ns per request`);
}
console.log(JSON.stringify({ cpus: availableParallelism(), loadavg1: loadavg()[0], results }));
