/**
 * Start-up per command: the package's executable (`dist/src/cli/cnab-trust.cjs`, the esbuild
 * bundle) as a whole process, against `node -e 0` (Node's own start) in the same run, alternating, medians, peak
 * memory. Goals, whole process: `--help` and `digest` of a small bundle under 200 ms. (`verify` of the 10-image
 * bundle, goal 300 ms, needs registries: `npm run bench -- verify`.) The local commands read fixtures only; `tuf get`
 * reads a 3-bundle repository from a directory with a fresh cache each run.
 * On a loaded machine wall times drift with the load (a process waits for a core); CPU time (user + system) much
 * less, so both are given, with `node -e 0`'s as the floor of any Node command.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedRepository } from './helpers/tuf-seed.js';
import { alternate, load, measureProcess, mib, secs } from './helpers/measure.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const bin = path.join(repoRoot, 'dist/src/cli/cnab-trust.cjs');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const small = path.join(repoRoot, 'test/fixtures/vectors/cnab-101.01.bundle.json');
const intotoCase = path.join(repoRoot, 'test/fixtures/intoto-reference/cases/demo-pass');

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cnab-trust-bench-startup-'));
  try {
    const repo = await seedRepository(dir, 'example.com/org/app', 3, undefined);
    let n = 0;
    const commands: { label: string; args: () => string[]; goalMs?: number; cwd?: string }[] = [
      { label: '--help', args: () => ['--help'], goalMs: 200 },
      { label: 'digest <small bundle>', args: () => ['digest', small], goalMs: 200 },
      { label: 'validate <small bundle>', args: () => ['validate', small] },
      { label: 'intoto verify (demo)', args: () => ['intoto', 'verify', '--layout', `${intotoCase}/root.layout`, '--layout-keys', `${intotoCase}/alice.pub`, '--links', intotoCase, '--no-inspections', '--quiet'] },
      {
        label: 'tuf get (directory repo)',
        args: () => ['tuf', 'get', 'example.com/org/app:v1', '--trusted-root', path.join(repo.metadataDir, '1.root.json'), '--metadata', repo.metadataDir, '--cache', path.join(dir, `c${++n}`)],
      },
    ];
    process.stdout.write(`start-up, whole process, ${RUNS} alternating runs against \`node -e 0\`, medians (load ${load()})\n`);
    const node = { name: 'node -e 0', run: () => measureProcess(process.execPath, ['-e', '0']) };
    for (const c of commands) {
      const r = await alternate({ name: c.label, run: () => measureProcess(process.execPath, [bin, ...c.args()]) }, node, RUNS);
      const goal = c.goalMs === undefined ? '' : `   goal < ${c.goalMs} ms: ${r.ours.ms < c.goalMs ? 'met' : 'NOT met'} (wall), ${r.ours.cpuMs < c.goalMs ? 'met' : 'NOT met'} (CPU)`;
      process.stdout.write(
        `  ${c.label.padEnd(26)} wall ${secs(r.ours.ms).padStart(7)} (node -e 0 ${secs(r.ref.ms).padStart(6)}, ratio ${r.ratio.toFixed(2)}x)` +
          `  CPU ${secs(r.ours.cpuMs).padStart(6)} (node -e 0 ${secs(r.ref.cpuMs).padStart(6)})  peak ${mib(r.ours.peakKiB)} / ${mib(r.ref.peakKiB)}${goal}\n`,
      );
    }
    process.stdout.write(`  (load at the end ${load()})\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
