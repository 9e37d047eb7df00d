/**
 * Verify latency: `cnab-trust verify` of one bundle with 10 relocated images (1 invocation image,
 * 9 components) and a 3-step in-toto layout, from a cold trusted-metadata cache, on loopback: two docker-registry
 * instances (original and relocated copy) and `cnab-trust serve` for the metadata. Target: under 1 s of wall time.
 *
 * Measured, in one run:
 *  - ours, whole process: the package's executable (`dist/src/cli/cnab-trust.cjs`, the esbuild bundle) `verify
 *    <relocated ref> --target ... --relocation-mapping ...`, wall and CPU time (GNU time), goal < 300 ms;
 *    with a fresh `--cache` each time (Node start-up included), median of 5;
 *  - ours, in process: `verifyBundle()` with a fresh cache, median of 5 (after one warm-up run that loads modules);
 *  - reference 1: `skopeo inspect --raw` of the same 10 relocated images, one process each, run one after the other
 *    (what a shell script resolving the relocated images alone would cost);
 *  - reference 2: the TUF refresh and target lookup alone (tuf-js through our client, fresh cache), in process.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { push } from '../src/workflows/oci/push.js';
import { relocate } from '../src/workflows/oci/relocate.js';
import { initRepository } from '../src/workflows/tuf/init.js';
import { signBundle } from '../src/workflows/tuf/sign.js';
import { startRepositoryServer } from '../src/adapters/http/repository-server.js';
import { verifyBundle } from '../src/workflows/verify/bundle.js';
import { getTrustedTarget } from '../src/workflows/tuf/get.js';
import { canonicalBundle, parseBundle } from '../src/core/cnab/index.js';
import { seedImage, startRegistry, tempDir, writeImageLayout } from '../test/helpers/registry.js';
import { makeChain } from '../test/helpers/intoto-chain.js';
import { load, measureProcess } from './helpers/measure.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../src/cli/cnab-trust.cjs');
const RUNS = 5;
// async: the metadata server runs in this process, a blocking spawn would starve it
const run = promisify(execFile);
const IMAGES = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const [a, b] = await Promise.all([startRegistry(), startRegistry()]);
  const tmp = await tempDir('cnab-trust-bench-verify-');
  const f = (name: string): string => path.join(tmp.path, name);
  let server: Awaited<ReturnType<typeof startRepositoryServer>> | undefined;
  try {
    // setup (not measured): 10 images in registry A, a bundle naming them, signed with a 3-step layout, relocated to B
    const names = Array.from({ length: IMAGES }, (_, i) => `image${i}`);
    for (const name of names) {
      await writeImageLayout(f('seed'), name, [{ [`${name}.txt`]: `${name} ${Math.random()}\n` }, { 'shared.txt': 'shared layer\n' }]);
      await seedImage(f('seed'), name, `${a.host}/src/${name}:1`);
    }
    const gun = `${a.host}/org/app`;
    const ref = `${gun}:1.0.0`;
    writeFileSync(
      f('bundle.json'),
      JSON.stringify({
        schemaVersion: 'v1.0.0',
        name: 'bench-app',
        version: '1.0.0',
        invocationImages: [{ imageType: 'oci', image: `${a.host}/src/${names[0]}:1` }],
        images: Object.fromEntries(names.slice(1).map((n) => [n, { imageType: 'oci', image: `${a.host}/src/${n}:1` }])),
      }),
    );
    await initRepository({ gun, metadataDir: f('metadata'), keysDir: f('keys') });
    await push(f('bundle.json'), ref, { fixup: true });
    const chain = makeChain(canonicalBundle(parseBundle(readFileSync(f('bundle.json')))).bytes, { steps: 3 });
    writeFileSync(f('root.layout'), chain.layout);
    writeFileSync(f('owner.pub'), chain.ownerKey.publicFile);
    mkdirSync(f('links'));
    for (const [name, bytes] of chain.links) writeFileSync(path.join(f('links'), name), bytes);
    await signBundle({ input: f('bundle.json'), ref, metadataDir: f('metadata'), keysDir: f('keys'), layout: f('root.layout'), layoutKeys: [f('owner.pub')], links: f('links') });
    server = await startRepositoryServer({ dir: f('metadata') });
    const relocated = await relocate(ref, `${b.host}/mirror/app`, { output: f('mapping.json') });
    const target = `${b.host}/mirror/app:1.0.0`;
    const root = f('metadata/1.root.json');
    let cacheNo = 0;
    const freshCache = (): string => f(`cache-${++cacheNo}`);

    // ours, whole process (cold: fresh --cache, new Node process)
    const cliTimes: number[] = [];
    const cliCpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // BENCH_VERIFY_CPU_PROF=DIR: write a V8 CPU profile of each whole-process verify into DIR
      const prof = process.env.BENCH_VERIFY_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_VERIFY_CPU_PROF] : [];
      const r = await measureProcess(process.execPath, [
        ...prof, bin, 'verify', target, '--target', ref, '--relocation-mapping', f('mapping.json'), '--trusted-root', root, '--metadata', server.url, '--cache', freshCache(), '--quiet',
      ]); // rejects unless exit 0 (verified)
      cliTimes.push(r.ms);
      cliCpu.push(r.cpuMs);
    }

    // ours, in process (fresh cache each run; one warm-up run loads the modules)
    const options = () => ({ bundle: target, target: ref, relocationMapping: f('mapping.json'), trustedRootPath: root, metadata: server!.url, cacheDir: freshCache() });
    const warm = await verifyBundle(options());
    if (!warm.verified) throw new Error(`verify failed: ${JSON.stringify(warm.error)}`);
    const steps = warm.steps.map((s) => s.name).join(', ');
    const inProcess: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = await verifyBundle(options());
      inProcess.push(performance.now() - t0);
      if (!r.verified) throw new Error('verify failed');
    }

    // reference 1: skopeo inspect --raw of the 10 relocated images, one after the other
    const relocatedRefs = Object.values(relocated.mapping);
    const skopeoTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      for (const r of relocatedRefs) await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${r}`]);
      skopeoTimes.push(performance.now() - t0);
    }

    // reference 2: TUF refresh and target lookup alone, in process, fresh cache
    const tufTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await getTrustedTarget(ref, { trustedRootPath: root, metadata: server.url, cacheDir: freshCache() });
      tufTimes.push(performance.now() - t0);
    }

    const cli = median(cliTimes);
    const inp = median(inProcess);
    const sk = median(skopeoTimes);
    const tuf = median(tufTimes);
    const ms = (x: number): string => `${x.toFixed(0)} ms`;
    process.stdout.write(
      [
        `verify of one bundle: ${IMAGES} relocated images, 3-step in-toto layout, cold TUF cache, loopback (stages: ${steps}); median of ${RUNS}`,
        `  ours, whole process (cnab-trust verify, Node start-up included): ${ms(cli)} wall, ${ms(median(cliCpu))} CPU (load ${load()})` +
          `   goal < 300 ms: ${cli < 300 ? 'met' : 'NOT met'} (wall), ${median(cliCpu) < 300 ? 'met' : 'NOT met'} (CPU)`,
        `  ours, in process (verifyBundle):                                 ${ms(inp)}`,
        `  reference 1: skopeo inspect --raw of the ${IMAGES} relocated images:    ${ms(sk)}   ratio ours/skopeo ${(cli / sk).toFixed(2)}x (whole process)`,
        `  reference 2: TUF refresh + target lookup alone (tuf-js):         ${ms(tuf)}   ratio ours/tuf-only ${(inp / tuf).toFixed(2)}x (in process)`,
      ].join('\n') + '\n',
    );
  } finally {
    await server?.close();
    await Promise.all([a.stop(), b.stop()]);
    await tmp.cleanup();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
