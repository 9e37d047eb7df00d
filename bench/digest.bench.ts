/**
 * `cnab-trust digest` of a 1 GiB thick bundle against `openssl dgst -sha256` of the same file,
 * whole processes, alternating runs, medians, peak memory; page cache warm (one untimed read first). Goal: within
 * 1.3x. The archive is what `export` writes: bundle.json first, then 1 GiB of incompressible layer data under
 * artifacts/layout/ (8 blobs of 128 MiB, like compressed image layers), as tar | gzip -1.
 * BENCH_DIGEST_MIB sets the size (default 1024).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate, compareLine, load, measureProcess } from './helpers/measure.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const bin = path.join(repoRoot, 'dist/src/cli/cnab-trust.cjs');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MIB = Number(process.env.BENCH_DIGEST_MIB ?? 1024);
const GOAL = 1.3;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cnab-trust-bench-digest-'));
  try {
    const src = path.join(dir, 'src');
    const blobs = path.join(src, 'artifacts/layout/blobs/sha256');
    mkdirSync(blobs, { recursive: true });
    writeFileSync(path.join(src, 'bundle.json'), readFileSync(path.join(repoRoot, 'test/fixtures/vectors/cnab-101.01.bundle.json')));
    const blobMib = Math.min(128, MIB);
    for (let i = 0; i < Math.ceil(MIB / blobMib); i++) {
      execFileSync('sh', ['-c', `head -c ${blobMib}M /dev/urandom > '${path.join(blobs, `layer${i}`)}'`]);
    }
    const tgz = path.join(dir, 'bundle.tgz');
    execFileSync('sh', ['-c', `tar -C '${src}' -cf - bundle.json artifacts | gzip -1 > '${tgz}'`]);
    rmSync(src, { recursive: true, force: true });
    const size = statSync(tgz).size;
    execFileSync('sh', ['-c', `cat '${tgz}' > /dev/null`]); // page cache warm for both sides

    const ours = { name: 'cnab-trust digest', run: () => measureProcess(process.execPath, [bin, 'digest', tgz, '--json']) };
    const openssl = { name: 'openssl dgst -sha256', run: () => measureProcess('openssl', ['dgst', '-sha256', tgz]) };
    const first = JSON.parse((await ours.run()).stdout) as { digest: string };
    const expected = (await openssl.run()).stdout.trim().split(' ').pop();
    if (first.digest !== `sha256:${expected}`) throw new Error(`digests differ: ${first.digest} vs ${expected}`);
    process.stdout.write(`digest of a ${(size / (1 << 20)).toFixed(0)} MiB thick bundle, ${RUNS} alternating runs, medians (load ${load()})\n`);
    const r = await alternate(ours, openssl, RUNS);
    process.stdout.write(compareLine('cnab-trust digest vs openssl dgst -sha256', r, GOAL) + `\n  (load at the end ${load()})\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
