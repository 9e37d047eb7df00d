/**
 * The repository stores side by side: the directory store (reference) and PostgreSQL (a throwaway cluster on
 * 127.0.0.1, fsync on, started and stopped here).
 *
 * 1. Throughput: signs per second with 1, 4 and 16 concurrent signer processes into a fresh repository with 64 bins
 *    (48 signs in all; measured from the first sign's start to the last one's end, so process start-up is not
 *    counted). Directory-store signers that find the lock taken retry after 5 ms (E_TUF_LOCKED); PostgreSQL
 *    signers wait on row locks. Median of ROUNDS alternating runs; for PostgreSQL also the median time a sign
 *    waited for and held the snapshot + timestamp step.
 * 2. One sign into a repository of 100,000 bundles (1,024 bins), median of SIGNS alternating signs per store.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metadata, TargetFile, Targets } from '@tufjs/models';
import { initRepository } from '../src/workflows/tuf/init.js';
import { signBundle } from '../src/workflows/tuf/sign.js';
import { commitChange, LoadedRepository, openRepository, withLock, type RepoOptions } from '../src/adapters/tuf-repo/repository.js';
import { RELEASES } from '../src/core/tuf/naming.js';
import { releasesRoleFor, targetFile, withTargets } from '../src/core/tuf/transitions.js';
import { openStore } from '../src/adapters/tuf-repo/open-store.js';
import { startPgCluster } from '../test/helpers/postgres-cluster.js';

const GUN = 'example.com/example-org/example-bundle';
const TOTAL = 48;
const CONCURRENCY = [1, 4, 16];
const ROUNDS = 3;
const BIG = 100_000;
const BIG_BINS = 1024;
const SIGNS = 5;
const here = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.resolve(here, '../..', 'test/fixtures/vectors/cnab-201-example.bundle.json');
const worker = path.join(here, 'tuf-store-signer.js');

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface WorkerResult {
  start: number;
  end: number;
  signs: number;
  retries: number;
  held: number[];
  waited: number[];
}

function runWorker(args: string[]): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as WorkerResult) : reject(new Error(`signer exited ${code}`))));
  });
}

/** One throughput run: a fresh repository, `c` signers of TOTAL/c signs each. */
async function throughput(store: string, keysDir: string, c: number): Promise<{ perSecond: number; retries: number; held: number[]; waited: number[] }> {
  const results = await Promise.all(Array.from({ length: c }, (_, i) => runWorker([store, keysDir, bundle, GUN, `c${c}-w${i}`, String(TOTAL / c)])));
  const start = Math.min(...results.map((r) => r.start));
  const end = Math.max(...results.map((r) => r.end));
  return {
    perSecond: (TOTAL * 1000) / (end - start),
    retries: results.reduce((n, r) => n + r.retries, 0),
    held: results.flatMap((r) => r.held),
    waited: results.flatMap((r) => r.waited),
  };
}

/** A repository with `count` bundle targets in bins, written as one change after a real init. */
async function seedBig(opts: RepoOptions, count: number): Promise<void> {
  await initRepository({ ...opts, gun: GUN, bins: BIG_BINS });
  const ctx = await openRepository(opts);
  await withLock(ctx, async () => {
    const repo = await LoadedRepository.load(ctx.store);
    const releases = await repo.targetsRole(RELEASES);
    const byRole = new Map<string, TargetFile[]>();
    for (let i = 0; i < count; i++) {
      const name = `${GUN}:v${i}`;
      const digest = createHash('sha256').update(name).digest('hex');
      const t = targetFile(name, Buffer.from(name), { name: 'helloworld', version: `0.${i}.0`, digest: `sha256:${digest}` });
      const role = releasesRoleFor(releases, name);
      (byRole.get(role) ?? byRole.set(role, []).get(role)!).push(t);
    }
    const changed = new Map<string, Metadata<Targets>>();
    for (const [role, files] of byRole) changed.set(role, withTargets(await repo.targetsRole(role), files, ctx.now, 30));
    await commitChange(ctx, repo, { description: 'seed', targetsRoles: changed, targetFiles: [] });
  });
}

const pg = await startPgCluster({ fsync: true });
const tmp = mkdtempSync(path.join(tmpdir(), 'cnab-trust-bench-store-'));
let dbs = 0;
const fresh = async (kind: 'dir' | 'pg', bins: number | undefined, big = false): Promise<{ store: string; keysDir: string }> => {
  const n = ++dbs;
  const keysDir = path.join(tmp, `keys${n}`);
  let store: string;
  if (kind === 'pg') {
    pg.createDatabase(`b${n}`);
    store = pg.urlFor(`b${n}`);
  } else store = path.join(tmp, `metadata${n}`);
  if (big) await seedBig({ storeUrl: store, keysDir }, BIG);
  else await initRepository({ storeUrl: store, keysDir, gun: GUN, ...(bins === undefined ? {} : { bins }) });
  return { store, keysDir };
};

try {
  process.stdout.write(`signs per second, ${TOTAL} signs into a fresh repository with 64 bins (median of ${ROUNDS} alternating rounds)\n`);
  for (const c of CONCURRENCY) {
    const rate = { dir: [] as number[], pg: [] as number[] };
    let retries = 0;
    const held: number[] = [];
    const waited: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of round % 2 === 0 ? (['dir', 'pg'] as const) : (['pg', 'dir'] as const)) {
        const r = await fresh(kind, 64);
        const t = await throughput(r.store, r.keysDir, c);
        rate[kind].push(t.perSecond);
        if (kind === 'dir') retries += t.retries;
        else {
          held.push(...t.held);
          waited.push(...t.waited);
        }
      }
    }
    const d = median(rate.dir);
    const p = median(rate.pg);
    process.stdout.write(
      `  ${String(c).padStart(2)} signers  dir: ${d.toFixed(1).padStart(6)}/s (${retries} E_TUF_LOCKED retries)  postgres: ${p.toFixed(1).padStart(6)}/s` +
        `  ratio pg/dir ${(p / d).toFixed(2)}x  snapshot+timestamp step: held ${median(held).toFixed(1)} ms, waited ${median(waited).toFixed(1)} ms (medians)\n`,
    );
  }

  process.stdout.write(`one sign into a repository of ${BIG.toLocaleString('en')} bundles (${BIG_BINS} bins), median of ${SIGNS} alternating signs\n`);
  const dirBig = await fresh('dir', undefined, true);
  const pgBig = await fresh('pg', undefined, true);
  const ms = { dir: [] as number[], pg: [] as number[] };
  const stores = { dir: (await openStore(dirBig.store))!, pg: (await openStore(pgBig.store))! };
  for (let i = 0; i < SIGNS; i++) {
    for (const kind of i % 2 === 0 ? (['dir', 'pg'] as const) : (['pg', 'dir'] as const)) {
      const r = kind === 'dir' ? dirBig : pgBig;
      const t0 = performance.now();
      await signBundle({ store: stores[kind], keysDir: r.keysDir, input: bundle, ref: `${GUN}:new-${i}` });
      ms[kind].push(performance.now() - t0);
    }
  }
  await stores.pg.close();
  process.stdout.write(`  dir: ${median(ms.dir).toFixed(0)} ms/sign  postgres: ${median(ms.pg).toFixed(0)} ms/sign  ratio pg/dir ${(median(ms.pg) / median(ms.dir)).toFixed(2)}x\n`);
  process.stdout.write(`  peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`);
} finally {
  pg.stop();
  rmSync(tmp, { recursive: true, force: true });
}
