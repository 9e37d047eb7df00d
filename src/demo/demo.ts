/**
 * `npm run demo`: the main job on the embedded default, narrated step by step, with nothing to start by hand.
 *
 * First it walks the example bundles in `examples/`: strict parsing and schema validation, canonical bytes and
 * their digest (the signed artifact of a thin bundle), and the offline relocation check (CNAB 103): a mapping that
 * keeps every image's signed digest passes, a tampered one is refused. Then the whole story (./story.ts): init,
 * in-toto layout and links, sign, push into an OCI layout, relocate into a second one, verify (passes), tamper
 * with a relocated image, verify again (refused, with the reason).
 *
 * Exit status 0 when every step gave the expected outcome (including the refusals), 1 otherwise.
 */
import path from 'node:path';
import os from 'node:os';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isCnabTrustError } from '../core/errors.js';
import { parseBundle } from '../core/cnab/index.js';
import { loadBundleFile } from '../adapters/cnab/bundle-file.js';
import { digestBundleFile } from '../workflows/bundle/file.js';
import { writeThickBundle } from '../adapters/archive/index.js';
import { relocationCheck } from '../workflows/relocation/check.js';
import { Narrator } from './narrate.js';
import { runStory } from './story.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const examples = path.join(repoRoot, 'examples');
const rel = (p: string): string => path.relative(process.cwd(), p) || '.';

const n = new Narrator();
const say = n.say.bind(n);
const step = n.step.bind(n);
const unexpected = n.unexpected.bind(n);
const expectRefusal = n.expectRefusal.bind(n);

async function bundles(): Promise<void> {
  for (const name of ['helloworld', 'helloworld-nulls', 'storefront']) {
    const file = path.join(examples, name, 'bundle.json');
    step(`bundle ${rel(file)}`);
    const b = await loadBundleFile(file);
    const images = b.bundle.invocationImages.length + Object.keys(b.bundle.images ?? {}).length;
    say(`   validated: strict JSON (no duplicate keys) and the CNAB 101 schema: ${b.bundle.name} ${b.bundle.version}, ${images} image(s)`);
    say(`   canonical bytes (JCS, RFC 8785; top-level nulls dropped): ${b.length} bytes; the file was ${b.canonical ? 'already canonical' : 'not canonical'}`);
    say(`   ${b.bytes.toString('utf8', 0, Math.min(b.length, 96))}${b.length > 96 ? '...' : ''}`);
    say(`   digest of the signed artifact: ${b.digest}`);
  }
}

async function thick(): Promise<void> {
  step('thick bundle (CNAB 104): bundle.json and an OCI image layout in a .tgz; its signed artifact is the archive');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cnab-trust-demo-'));
  try {
    const layout = path.join(dir, 'layout');
    await mkdir(path.join(layout, 'blobs/sha256'), { recursive: true });
    await writeFile(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(path.join(layout, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    const canonical = await loadBundleFile(path.join(examples, 'storefront/bundle.json'));
    const archive = path.join(dir, 'storefront-1.2.0.tgz');
    await writeThickBundle(archive, { bundleBytes: canonical.bytes, layoutDir: layout });
    const d = await digestBundleFile(archive);
    say(`   wrote storefront-1.2.0.tgz (bundle.json = the canonical bytes, artifacts/layout/ = an empty OCI layout)`);
    say(`   read back in one streaming pass, refusing ../ names, links and absurd sizes; archive digest ${d.digest} (${d.length} bytes)`);
    say(`   bundle.json inside: ${d.bundle?.digest} (${d.bundle?.canonical ? 'canonical' : 'not canonical'})`);
    if (d.bundle?.digest !== canonical.digest) unexpected('the bundle.json inside the archive is not the canonical bundle');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function strictness(): Promise<void> {
  step('a bundle.json with a duplicate key is refused (two readers could see two different bundles)');
  const doc = '{"schemaVersion":"v1.0.0","name":"x","version":"1.0.0","invocationImages":[{"image":"good/installer:1","image":"evil/installer:1"}]}';
  say(`   input: ${doc}`);
  await expectRefusal('E_JSON_DUPLICATE_KEY', () => parseBundle(Buffer.from(doc), { source: 'inline bundle.json' }));

  step('a bundle.json missing a required member is refused, naming the JSON path and the schema rule');
  await expectRefusal('E_BUNDLE_SCHEMA', () =>
    parseBundle(Buffer.from('{"schemaVersion":"v1.0.0","version":"1.0.0","invocationImages":[]}'), { source: 'inline bundle.json' }),
  );
}

async function relocation(): Promise<void> {
  const bundle = path.join(examples, 'storefront/bundle.json');
  const good = path.join(examples, 'storefront/relocation-mapping.json');
  const bad = path.join(examples, 'storefront/relocation-mapping.tampered.json');

  step(`relocation check (CNAB 103, offline): ${rel(good)}`);
  const report = await relocationCheck(bundle, good);
  for (const i of report.images) {
    say(
      i.status === 'pinned'
        ? `   ok       ${i.image}: ${i.relocated} carries the signed digest`
        : `   resolve  ${i.image}: ${i.relocated} is a tag; a registry must resolve it to ${i.expectedDigest}`,
    );
  }
  say(`   passed: every image of the bundle is mapped; ${report.toResolve} to resolve live (cnab-trust relocation verify)`);

  step(`relocation check with a tampered mapping: ${rel(bad)}`);
  say('   the "web" image is relocated to a reference pinned to a different digest than the signed contentDigest');
  await expectRefusal('E_RELOCATED_DIGEST_MISMATCH', () => relocationCheck(bundle, bad));
}

async function main(): Promise<number> {
  const started = Date.now();
  say('cnab-trust demo: canonical bundles, validation, digests and relocation checks on examples/, then the whole story');
  await bundles();
  await thick();
  await strictness();
  await relocation();
  await runStory(n);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(n.failures === 0 ? `\ndemo: every step gave the expected outcome (${seconds} s)` : `\ndemo: ${n.failures} step(s) did not give the expected outcome`);
  return n.failures === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`demo failed: ${isCnabTrustError(e) ? `error[${e.code}] ${e.message}` : String(e)}\n`);
    process.exitCode = 1;
  },
);
