/**
 * A signer process for the PostgreSQL store tests and bench: signs `count` tags of one bundle file into the
 * repository at `store`, one `sign` (one transaction) after the other, and prints one JSON line per sign
 * (tag, versions, lock timings) on stdout. A sign that fails prints its error code and the process exits 3.
 *
 *   node dist/test/helpers/pg-signer.js <store> <keysDir> <bundle.json> <gun> <tagPrefix> <count>
 */
import { signBundle } from '../../src/workflows/tuf/sign.js';
import { isCnabTrustError } from '../../src/core/errors.js';
import { openStore } from '../../src/adapters/tuf-repo/open-store.js';

const [url, keysDir, input, gun, prefix, count] = process.argv.slice(2);
// one store (one connection pool) for all the signs of this process
const store = (await openStore(url!))!;
for (let i = 0; i < Number(count); i++) {
  const tag = `${prefix}-${i}`;
  const t0 = performance.now();
  try {
    const r = await signBundle({ store, keysDir: keysDir!, input: input!, ref: `${gun}:${tag}` });
    process.stdout.write(JSON.stringify({ tag, role: r.role, versions: r.versions, ms: performance.now() - t0, lock: r.lockTimings ?? {} }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ tag, error: isCnabTrustError(e) ? e.code : String(e) }) + '\n');
    process.exit(3);
  }
}
await store.close();
