/**
 * in-toto verification as whole processes: `cnab-trust intoto verify` against python `in-toto-verify` 1.3.1
 * on the reference fixtures' `large-20000-files` case (2 links x 20,000 artifacts, ~7 MB of JSON), in one run.
 * Both run in the same copy of the case, alternating, 7 times each; the medians' ratio is printed, for wall time
 * and, through `/usr/bin/time` when it is installed, for CPU time (user + sys: the fairer figure when other jobs
 * load the machine).
 * Target: at least 10x faster. (Artifact hashing vs OpenSSL is bench/hashing.bench.ts.)
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = 7;
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const caseDir = path.join(repoRoot, 'test/fixtures/intoto-reference/cases/large-20000-files');
// The package's executable (what `cnab-trust` runs): the bundle of src/cli/bin.ts.
const main = path.join(repoRoot, 'dist/src/cli/cnab-trust.cjs');

const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME);

/** Wall ms and CPU ms (user + sys of the child, NaN without /usr/bin/time) of one run. */
function timeRun(cmd: string, args: string[], cwd: string): { wall: number; cpu: number } {
  const cpuFile = path.join(cwd, '.cpu-time');
  const [c, a] = haveTime ? [TIME, ['-o', cpuFile, '-f', '%U %S', cmd, ...args]] : [cmd, args];
  const t = performance.now();
  const r = spawnSync(c, a, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wall = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  const cpu = haveTime ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).reduce((sum, x) => sum + Number(x) * 1000, 0) : NaN;
  return { wall, cpu };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const dir = mkdtempSync(path.join(tmpdir(), 'cnab-trust-bench-intoto-'));
try {
  cpSync(caseDir, dir, { recursive: true });
  const ours: { wall: number; cpu: number }[] = [];
  const ref: { wall: number; cpu: number }[] = [];
  const oursArgs = [main, 'intoto', 'verify', '--layout', 'root.layout', '--layout-keys', 'alice.pub', '--links', '.', '--quiet'];
  const refArgs = ['-l', 'root.layout', '-k', 'alice.pub', '-t', 'rsa'];
  timeRun(process.execPath, oursArgs, dir); // warm the page cache for both
  timeRun('in-toto-verify', refArgs, dir);
  for (let i = 0; i < RUNS; i++) {
    ours.push(timeRun(process.execPath, oursArgs, dir));
    ref.push(timeRun('in-toto-verify', refArgs, dir));
  }
  const o = median(ours.map((x) => x.wall));
  const r = median(ref.map((x) => x.wall));
  const oc = median(ours.map((x) => x.cpu));
  const rc = median(ref.map((x) => x.cpu));
  const nodeRuns = Array.from({ length: RUNS }, () => timeRun(process.execPath, ['-e', '0'], dir));
  const node = median(nodeRuns.map((x) => x.wall));
  const nodeCpu = median(nodeRuns.map((x) => x.cpu));
  // A lower bound for any verifier in JavaScript: read both links, drop their whitespace (the cheapest step
  // towards the signing bytes) and hash the result, in one plain script: no parsing, checks, keys or rules.
  const floorScript = [
    "const fs = require('node:fs'), crypto = require('node:crypto');",
    'const ws = new Uint8Array(256); for (const c of [9, 10, 13, 32]) ws[c] = 1;',
    'const plain = new Uint8Array(256); for (let c = 32; c < 128; c++) plain[c] = 1; plain[34] = 0; plain[92] = 0;',
    'function strip(s) {',
    '  let p = 0, q = 0, c = s[0];',
    '  for (;;) {',
    '    while (c !== 34) { if (ws[c] === 1) { c = s[++p]; continue; } if (c === 0) return q; s[q++] = c; c = s[++p]; }',
    '    s[q++] = c; c = s[++p];',
    '    while (plain[c] === 1) { s[q++] = c; c = s[++p]; }',
    '    s[q++] = c; c = s[++p];',
    '  }',
    '}',
    'for (const f of fs.readdirSync(".").filter((f) => f.endsWith(".link"))) {',
    '  const b = fs.readFileSync(f); const s = new Uint8Array(b.length + 1); s.set(b);',
    "  crypto.createHash('sha512').update(s.subarray(0, strip(s))).digest();",
    '}',
  ].join('\n');
  const floorRuns = Array.from({ length: RUNS }, () => timeRun(process.execPath, ['-e', floorScript], dir));
  const floor = median(floorRuns.map((x) => x.wall));
  const runs = (xs: { wall: number }[]) => xs.map((x) => x.wall.toFixed(0)).join(' ');
  process.stdout.write(
    `in-toto verify, large-20000-files (2 links x 20,000 artifacts), whole processes, median of ${RUNS}:\n` +
      `  cnab-trust intoto verify  wall ${o.toFixed(0)} ms, CPU ${oc.toFixed(0)} ms   (wall runs: ${runs(ours)})\n` +
      `  in-toto-verify (1.3.1)    wall ${r.toFixed(0)} ms, CPU ${rc.toFixed(0)} ms   (wall runs: ${runs(ref)})\n` +
      `  node -e 0 (start-up)      wall ${node.toFixed(0)} ms, CPU ${nodeCpu.toFixed(0)} ms\n` +
      `  lower bound in JS         wall ${floor.toFixed(0)} ms (node, read both links, drop whitespace, SHA-512; no parsing, keys or rules)\n` +
      `  10x the reference         wall ${(r / 10).toFixed(0)} ms\n` +
      `  ratio: ${(r / o).toFixed(1)}x faster than the reference in wall time, ${(rc / oc).toFixed(1)}x in CPU time (target >= 10x)\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
