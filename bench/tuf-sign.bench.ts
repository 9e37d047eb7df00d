/**
 * Signing one bundle into a TUF repository that already holds 10,000 and 100,000 bundle targets: a flat
 * `targets/releases` against TAP 15 hashed bins (`init --bins`), in one run. Reports time per sign and bytes written
 * per sign (target file + role files + snapshot + timestamp); the ratio flat/bins is the point of the bins.
 *
 * The repositories are built fast by writing metadata directly (one signed version holding every target) after a
 * real `init`; then each measured sign is the real `cnab-trust sign` workflow (read, parse, change, sign, write).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signBundle } from '../src/workflows/tuf/sign.js';
import { seedRepository } from './helpers/tuf-seed.js';

const GUN = 'example.com/example-org/example-bundle';
const SIZES = [10_000, 100_000];
const BINS = 1024;
const SIGNS = 5;
const here = path.dirname(fileURLToPath(import.meta.url));
const bundleVector = path.resolve(here, '../..', 'test/fixtures/vectors/cnab-201-example.bundle.json');

interface Measure {
  msPerSign: number;
  bytesPerSign: number;
  filesPerSign: number;
}

async function measure(count: number, bins: number | undefined): Promise<Measure> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cnab-trust-bench-tuf-'));
  try {
    const d = await seedRepository(dir, GUN, count, bins);
    const base = JSON.parse(readFileSync(bundleVector, 'utf8')) as Record<string, unknown>;
    let ms = 0;
    let bytes = 0;
    let files = 0;
    for (let i = 0; i < SIGNS; i++) {
      const input = path.join(dir, `bundle-${i}.json`);
      writeFileSync(input, JSON.stringify({ ...base, version: `9.${i}.0` }));
      const t0 = process.hrtime.bigint();
      const r = await signBundle({ ...d, input, ref: `${GUN}:new-${i}` });
      ms += Number(process.hrtime.bigint() - t0) / 1e6;
      bytes += r.written.bytes;
      files += r.written.files;
    }
    return { msPerSign: ms / SIGNS, bytesPerSign: bytes / SIGNS, filesPerSign: files / SIGNS };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmtBytes = (b: number): string => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`);

process.stdout.write(`sign one bundle into a repository of N bundle targets (mean of ${SIGNS} signs; bins = ${BINS} TAP 15 bins)\n`);
for (const n of SIZES) {
  const flat = await measure(n, undefined);
  const binned = await measure(n, BINS);
  process.stdout.write(
    `  N=${String(n).padStart(6)}  flat: ${flat.msPerSign.toFixed(0).padStart(6)} ms/sign ${fmtBytes(flat.bytesPerSign).padStart(10)}/sign` +
      `  bins: ${binned.msPerSign.toFixed(0).padStart(5)} ms/sign ${fmtBytes(binned.bytesPerSign).padStart(10)}/sign` +
      `  ratio flat/bins: time ${(flat.msPerSign / binned.msPerSign).toFixed(1)}x, bytes ${(flat.bytesPerSign / binned.bytesPerSign).toFixed(1)}x\n`,
  );
}
