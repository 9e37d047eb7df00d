/**
 * A signer process of `bench/tuf-store.bench.ts`: signs `count` tags into the store (a directory or a postgres://
 * URL), retrying a sign that finds the directory store locked (E_TUF_LOCKED) after 5 ms, as a CI job would.
 * Prints one JSON line: when its first sign started and its last ended (epoch ms), retries, and the lock timings
 * of each sign (PostgreSQL: how long it waited for and held snapshot + timestamp).
 *
 *   node dist/bench/tuf-store-signer.js <store> <keysDir> <bundle.json> <gun> <tagPrefix> <count>
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { signBundle } from '../src/workflows/tuf/sign.js';
import { isCnabTrustError } from '../src/core/errors.js';
import { openStore } from '../src/adapters/tuf-repo/open-store.js';

const [spec, keysDir, input, gun, prefix, count] = process.argv.slice(2);
const store = (await openStore(spec!))!;
const now = (): number => performance.timeOrigin + performance.now();
const held: number[] = [];
const waited: number[] = [];
let retries = 0;
const start = now();
for (let i = 0; i < Number(count); i++) {
  for (;;) {
    try {
      const r = await signBundle({ store, keysDir: keysDir!, input: input!, ref: `${gun}:${prefix}-${i}` });
      if (r.lockTimings?.onlineLockHeldMs !== undefined) held.push(r.lockTimings.onlineLockHeldMs);
      if (r.lockTimings?.onlineLockWaitMs !== undefined) waited.push(r.lockTimings.onlineLockWaitMs);
      break;
    } catch (e) {
      if (!isCnabTrustError(e) || e.code !== 'E_TUF_LOCKED') throw e;
      retries++;
      await sleep(5);
    }
  }
}
const end = now();
await store.close();
process.stdout.write(JSON.stringify({ start, end, signs: Number(count), retries, held, waited }) + '\n');
