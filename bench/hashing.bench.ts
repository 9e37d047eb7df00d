/**
 * Artifact hashing: our recorder (walk + SHA-256 of every file, as `link run` records) against
 * `openssl dgst -sha256` on the same files, in one run. Target: at least 0.9x OpenSSL's throughput.
 *
 * The tree (in a temp dir, removed afterwards): 4 files of 240 MiB plus 20,000 files of 1-8 KiB (about 1 GiB).
 * Both sides read from the page cache (one untimed warm-up pass); each is timed three times, the best counts.
 * OpenSSL gets every path on its command line in batches (one process per 4,000 paths), its fastest use.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordArtifacts } from '../src/adapters/intoto/artifact-recorder.js';

const BIG_FILES = 4;
const BIG_SIZE = 240 << 20;
const SMALL_FILES = 20_000;

function makeTree(dir: string): { files: string[]; bytes: number } {
  const files: string[] = [];
  let bytes = 0;
  const block = randomBytes(16 << 20);
  for (let i = 0; i < BIG_FILES; i++) {
    const rel = `big-${i}.bin`;
    const fd = openSync(path.join(dir, rel), 'w');
    for (let w = 0; w < BIG_SIZE; w += block.length) {
      block.writeUInt32LE(i * 1000 + w / block.length, 0); // distinct content per block
      writeSync(fd, block, 0, Math.min(block.length, BIG_SIZE - w));
    }
    closeSync(fd);
    files.push(rel);
    bytes += BIG_SIZE;
  }
  for (let i = 0; i < SMALL_FILES; i++) {
    const sub = `src/d${i % 100}`;
    if (i < 100) mkdirSync(path.join(dir, sub), { recursive: true });
    const rel = `${sub}/f${i}.txt`;
    const size = 1024 + ((i * 2654435761) % 7168);
    writeFileSync(path.join(dir, rel), block.subarray(i, i + size));
    files.push(rel);
    bytes += size;
  }
  return { files, bytes };
}

function timeOpenssl(dir: string, files: string[]): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < files.length; i += 4000) {
    const r = spawnSync('openssl', ['dgst', '-sha256', ...files.slice(i, i + 4000)], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.status}`);
  }
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function timeOurs(dir: string, expected: number): number {
  const t = process.hrtime.bigint();
  const got = recordArtifacts(['.'], { basePath: dir });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (Object.keys(got).length !== expected) throw new Error(`recorded ${Object.keys(got).length} files, expected ${expected}`);
  return s;
}

const dir = mkdtempSync(path.join(tmpdir(), 'cnab-trust-bench-hash-'));
try {
  const { files, bytes } = makeTree(dir);
  const gib = bytes / 2 ** 30;
  timeOpenssl(dir, files); // warm the page cache
  timeOurs(dir, files.length);
  const o: number[] = [];
  const n: number[] = [];
  for (let i = 0; i < 3; i++) {
    o.push(timeOpenssl(dir, files));
    n.push(timeOurs(dir, files.length));
  }
  const best = (xs: number[]): number => Math.min(...xs);
  const gbps = (s: number): string => ((bytes / s) / 1e9).toFixed(2);
  process.stdout.write(`tree: ${files.length} files, ${gib.toFixed(2)} GiB (${BIG_FILES} x 240 MiB + ${SMALL_FILES} small)\n`);
  process.stdout.write(`openssl dgst -sha256: best ${best(o).toFixed(3)} s (${gbps(best(o))} GB/s)  runs ${o.map((x) => x.toFixed(3)).join(' ')}\n`);
  process.stdout.write(`cnab-trust recorder:  best ${best(n).toFixed(3)} s (${gbps(best(n))} GB/s)  runs ${n.map((x) => x.toFixed(3)).join(' ')}\n`);
  const ratio = best(o) / best(n);
  process.stdout.write(`throughput ratio (ours / openssl): ${ratio.toFixed(2)}x  (target >= 0.9x) ${ratio >= 0.9 ? 'OK' : 'BELOW TARGET'}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
