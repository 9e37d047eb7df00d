/**
 * The TUF client at scale: `cnab-trust tuf get` and `cnab-trust verify` of one bundle, cold cache,
 * whole process, against python-tuf's ngclient doing the same refresh and target lookup
 * (test/tuf-conformance/python-tuf-get.py --lookup-only),
 * on repositories with many bundle targets, served over loopback by `cnab-trust serve` (its own process):
 *  - flat `targets/releases` with 10,000 and 100,000 bundles;
 *  - 16,384 TAP 15 bins holding 10,000 bundles (the snapshot lists 16,385 roles);
 *  - with BENCH_TUF_MILLION=1, 1,000,000 bundles in 1,024 bins as well (minutes of set-up);
 *  BENCH_TUF_ONLY=TEXT keeps the cases whose label contains TEXT (e.g. BENCH_TUF_ONLY=1,000,000).
 * Goal: ours within 1.5x of python-tuf. Alternating runs, medians, peak memory from GNU time.
 *
 * python-tuf is not packaged by Debian (bookworm has python3-securesystemslib 0.26 but no python3-tuf), and the
 * machine reaches no Python package index; the reference runs python-tuf 5.1.0 and securesystemslib 1.2.0 from
 * their sources (git archives of the release tags), on Debian's python3-requests and python3-cryptography.
 * Point PYTHON_TUF_PATH at a PYTHONPATH holding them (e.g. `/tmp/pytuf/python-tuf:/tmp/pytuf/sslib`); without it
 * the reference is skipped and only our times are printed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signBundle } from '../src/workflows/tuf/sign.js';
import { canonicalBundle, parseBundle } from '../src/core/cnab/index.js';
import { seedRepository } from './helpers/tuf-seed.js';
import { alternate, compareLine, load, measureProcess, mib, secs, type Side } from './helpers/measure.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '../src/cli/cnab-trust.cjs');
const pythonGet = path.resolve(here, '../../test/tuf-conformance/python-tuf-get.py');
const GUN = 'example.com/org/app';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const GOAL = 1.5;

const cases: { label: string; count: number; bins?: number }[] = process.env.BENCH_TUF_SMALL === '1' ? [{ label: 'flat, 2,000 bundles', count: 2000 }] : [
  { label: 'flat, 10,000 bundles', count: 10_000 },
  { label: 'flat, 100,000 bundles', count: 100_000 },
  { label: '16,384 bins, 10,000 bundles', count: 10_000, bins: 16_384 },
  ...(process.env.BENCH_TUF_MILLION === '1' ? [{ label: '1,024 bins, 1,000,000 bundles', count: 1_000_000, bins: 1024 }] : []),
].filter((c) => process.env.BENCH_TUF_ONLY === undefined || c.label.includes(process.env.BENCH_TUF_ONLY));

function pythonTufEnv(): NodeJS.ProcessEnv | undefined {
  const env = { ...process.env, ...(process.env.PYTHON_TUF_PATH ? { PYTHONPATH: process.env.PYTHON_TUF_PATH } : {}) };
  try {
    execFileSync('python3', ['-c', 'import tuf.ngclient'], { env, stdio: 'ignore' });
    return env;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const pyEnv = pythonTufEnv();
  process.stdout.write(
    `TUF client, cold cache, whole process, loopback; ${RUNS} alternating runs, medians; reference python-tuf ngclient` +
      `${pyEnv ? '' : ' (NOT FOUND: set PYTHON_TUF_PATH; reference skipped)'}\n`,
  );
  for (const c of cases) {
    const dir = mkdtempSync(path.join(tmpdir(), 'cnab-trust-bench-tufclient-'));
    let server: ChildProcess | undefined;
    try {
      const repo = await seedRepository(dir, GUN, c.count, c.bins);
      // one real bundle, signed by the real workflow, that verify can check byte for byte
      const ref = `${GUN}:1.0.0`;
      const bundle = path.join(dir, 'bundle.json');
      const digest = 'sha256:' + 'a'.repeat(64);
      const json = { schemaVersion: 'v1.0.0', name: 'app', version: '1.0.0', invocationImages: [{ imageType: 'oci', image: `example.com/org/app-installer@${digest}`, contentDigest: digest }] };
      writeFileSync(bundle, canonicalBundle(parseBundle(Buffer.from(JSON.stringify(json)))).bytes); // signed as its JCS form
      await signBundle({ ...repo, input: bundle, ref });
      server = spawn(process.execPath, [cli, 'serve', '--metadata', repo.metadataDir, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const [line] = (await once(server.stdout!, 'data')) as [Buffer];
      const s = JSON.parse(line.toString()) as { url: string };
      const root = path.join(repo.metadataDir, '1.root.json');
      let n = 0;
      const cache = (): string => path.join(dir, `cache-${++n}`);
      const tufGet: Side = { name: 'tuf get', run: () => measureProcess(process.execPath, [cli, 'tuf', 'get', ref, '--trusted-root', root, '--metadata', s.url, '--cache', cache(), '--json']) };
      const verify: Side = {
        name: 'verify',
        run: () => measureProcess(process.execPath, [cli, 'verify', bundle, '--target', ref, '--trusted-root', root, '--metadata', s.url, '--cache', cache(), '--quiet']),
      };
      const python: Side = { name: 'python-tuf', run: () => measureProcess('python3', [pythonGet, s.url, root, ref, '--lookup-only'], pyEnv) };
      process.stdout.write(`${c.label} (load ${load()})\n`);
      for (const ours of [tufGet, verify]) {
        if (pyEnv) {
          const r = await alternate(ours, python, RUNS);
          process.stdout.write(compareLine(`${ours.name.padEnd(8)} vs python-tuf`, r, GOAL) + '\n');
        } else {
          const r = await ours.run();
          process.stdout.write(`  ${ours.name}: ${secs(r.ms)}, peak ${mib(r.peakKiB)}\n`);
        }
      }
    } finally {
      server?.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
