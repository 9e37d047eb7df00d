/**
 * Relocation speed: about 1 GiB of fresh random image layers (4 images x 2 layers x 128 MiB, in a CNAB bundle)
 * copied between two local registries (CNCF distribution), by `cnab-trust relocate` and by `skopeo copy --all`,
 * in one run, each copy into its own fresh registry, alternating which goes first over `BENCH_ROUNDS` rounds
 * (default 2). Prints the times and the ratio skopeo / ours (>= 1.0: we are at least as fast). Not part of
 * `npm test`. `BENCH_CONCURRENCY` overrides our blob transfers in flight (default 6).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { push } from '../src/workflows/oci/push.js';
import { relocate } from '../src/workflows/oci/relocate.js';
import { randomLayerFiles, seedImage, skopeo, startRegistry, tempDir, writeImageLayout } from '../test/helpers/registry.js';

const IMAGES = 4;
const LAYERS_PER_IMAGE = 2;
const LAYER_BYTES = 128 * 1024 * 1024;

async function main(): Promise<void> {
  const source = await startRegistry();
  const targets: Awaited<ReturnType<typeof startRegistry>>[] = [];
  const tmp = await tempDir('cnab-trust-bench-');
  try {
    const layout = path.join(tmp.path, 'seed');
    const names: string[] = [];
    for (let i = 0; i < IMAGES; i++) {
      const name = `img${i}`;
      const layers = Array.from({ length: LAYERS_PER_IMAGE }, (_, j) => randomLayerFiles(LAYER_BYTES, `layer${j}.bin`));
      await writeImageLayout(layout, name, layers, { gzip: false });
      await seedImage(layout, name, `${source.host}/src/${name}:1`);
      names.push(name);
    }
    const bundleFile = path.join(tmp.path, 'bundle.json');
    await writeFile(
      bundleFile,
      JSON.stringify({
        schemaVersion: 'v1.0.0',
        name: 'bench',
        version: '1.0.0',
        invocationImages: [{ imageType: 'oci', image: `${source.host}/src/${names[0]}:1` }],
        images: Object.fromEntries(names.slice(1).map((n) => [n, { imageType: 'oci', image: `${source.host}/src/${n}:1` }])),
      }),
    );
    await push(bundleFile, `${source.host}/bundle/app:1`, { fixup: true });
    const total = IMAGES * LAYERS_PER_IMAGE * LAYER_BYTES;
    process.stdout.write(`relocating ${(total / 2 ** 30).toFixed(2)} GiB in ${IMAGES * LAYERS_PER_IMAGE} fresh layers between two local registries\n`);

    // alternate the order over rounds, each copy into its own fresh registry, so neither tool gets the warm caches
    const rounds = Number(process.env.BENCH_ROUNDS ?? '2');
    const concurrency = process.env.BENCH_CONCURRENCY === undefined ? undefined : Number(process.env.BENCH_CONCURRENCY);
    let skopeoSeconds = 0;
    let oursSeconds = 0;
    for (let round = 0; round < rounds; round++) {
      const runSkopeo = async (): Promise<void> => {
        const target = await startRegistry();
        targets.push(target);
        const t = process.hrtime.bigint();
        await skopeo(['copy', '--all', `docker://${source.host}/bundle/app:1`, `docker://${target.host}/bundle/app:1`], { timeoutMs: 600_000 });
        const s = Number(process.hrtime.bigint() - t) / 1e9;
        skopeoSeconds += s;
        process.stdout.write(`  round ${round + 1}: skopeo copy --all   ${s.toFixed(2)} s\n`);
        await target.stop();
      };
      const runOurs = async (): Promise<void> => {
        const target = await startRegistry();
        targets.push(target);
        const t = process.hrtime.bigint();
        await relocate(`${source.host}/bundle/app:1`, `${target.host}/bundle/app`, {
          output: path.join(tmp.path, 'mapping.json'),
          ...(concurrency === undefined ? {} : { concurrency }),
        });
        const s = Number(process.hrtime.bigint() - t) / 1e9;
        oursSeconds += s;
        process.stdout.write(`  round ${round + 1}: cnab-trust relocate ${s.toFixed(2)} s\n`);
        await target.stop();
      };
      if (round % 2 === 0) {
        await runSkopeo();
        await runOurs();
      } else {
        await runOurs();
        await runSkopeo();
      }
    }
    const mib = (rounds * total) / 2 ** 20;
    process.stdout.write(`skopeo copy --all:   ${skopeoSeconds.toFixed(2)} s over ${rounds} round(s) (${(mib / skopeoSeconds).toFixed(0)} MiB/s)\n`);
    process.stdout.write(`cnab-trust relocate: ${oursSeconds.toFixed(2)} s over ${rounds} round(s) (${(mib / oursSeconds).toFixed(0)} MiB/s)\n`);
    process.stdout.write(`ratio (skopeo time / our time): ${(skopeoSeconds / oursSeconds).toFixed(2)}x (target >= 1.0x)\n`);
  } finally {
    await Promise.all([source.stop(), ...targets.map((t) => t.stop())]);
    await tmp.cleanup();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`relocate bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
