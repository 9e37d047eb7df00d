/**
 * `npm run bench`: runs every `*.bench.js` beside this file, in name order, each in its own process so that one
 * benchmark's warm caches do not flatter the next. Each benchmark prints its own ratio against a reference run.
 * `npm run bench -- NAME` runs only the benchmarks whose file name contains NAME.
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filter === undefined || f.includes(filter))
  .sort();
let failed = 0;
for (const b of benches) {
  process.stdout.write(`\n== ${b.replace(/\.bench\.js$/, '')}\n`);
  const r = spawnSync(process.execPath, [path.join(here, b)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (benches.length === 0) process.stdout.write('no benchmarks found\n');
process.exitCode = failed > 0 ? 1 : 0;
