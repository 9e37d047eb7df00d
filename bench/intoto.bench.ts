/**
 * in-toto verification as whole processes: `cnab-trust intoto verify` against python `in-toto-verify` 1.3.1
 * on the reference fixtures' `large-20000-files` case (2 links x 20,000 artifacts, ~7 MB of JSON), in one run.
 * Both run in the same copy of the case, alternating, 7 times each; the medians' ratio is printed.
 * Issue 4 target: at least 10x faster. (Artifact hashing vs OpenSSL is bench/hashing.bench.ts.)
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = 7;
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const caseDir = path.resolve(repoRoot, '../shared/reference/intoto-fixtures/cases/large-20000-files');
const main = path.join(repoRoot, 'dist/src/cli/main.js');

function timeRun(cmd: string, args: string[], cwd: string): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const dir = mkdtempSync(path.join(tmpdir(), 'cnab-trust-bench-intoto-'));
try {
  cpSync(caseDir, dir, { recursive: true });
  const ours: number[] = [];
  const ref: number[] = [];
  const oursArgs = [main, 'intoto', 'verify', '--layout', 'root.layout', '--layout-keys', 'alice.pub', '--links', '.', '--quiet'];
  const refArgs = ['-l', 'root.layout', '-k', 'alice.pub', '-t', 'rsa'];
  timeRun(process.execPath, oursArgs, dir); // warm the page cache for both
  timeRun('in-toto-verify', refArgs, dir);
  for (let i = 0; i < RUNS; i++) {
    ours.push(timeRun(process.execPath, oursArgs, dir));
    ref.push(timeRun('in-toto-verify', refArgs, dir));
  }
  const o = median(ours);
  const r = median(ref);
  const node = median(Array.from({ length: RUNS }, () => timeRun(process.execPath, ['-e', '0'], dir)));
  process.stdout.write(
    `in-toto verify, large-20000-files (2 links x 20,000 artifacts), whole processes, median of ${RUNS}:\n` +
      `  cnab-trust intoto verify  ${o.toFixed(0)} ms   (runs: ${ours.map((x) => x.toFixed(0)).join(' ')})\n` +
      `  in-toto-verify (1.3.1)    ${r.toFixed(0)} ms   (runs: ${ref.map((x) => x.toFixed(0)).join(' ')})\n` +
      `  node -e 0 (start-up)      ${node.toFixed(0)} ms\n` +
      `  ratio: ${(r / o).toFixed(1)}x faster than the reference (target >= 10x)\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
