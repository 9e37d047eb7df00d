/**
 * The whole story of `npm run demo` on the embedded default, in a temporary directory, nothing to start by hand:
 * a TUF repository and keys, two small real images, a two-step in-toto supply chain recorded around the real
 * commands (push --fixup, canonicalize), signing, a push into an OCI layout directory ("registry A"), a relocation
 * into a second one ("registry B"), verification of the relocated copy through `cnab-trust serve` (passes), then
 * an attacker replaces a relocated image and the same verification refuses, with the reason.
 *
 * Every step calls the same library functions the CLI calls; the narration says which command it is.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as createTar } from 'tar';
import { LayoutStore } from '../adapters/oci/layout-store.js';
import { digestOf } from '../core/oci/digest.js';
import { OCI_CONFIG, OCI_MANIFEST } from '../core/oci/media-types.js';
import { formatVerifyReport, type VerifyReport } from '../core/verify/report.js';
import { initRepository } from '../workflows/tuf/init.js';
import { signBundle } from '../workflows/tuf/sign.js';
import { push } from '../workflows/oci/push.js';
import { relocate } from '../workflows/oci/relocate.js';
import { startRepositoryServer } from '../adapters/http/repository-server.js';
import { verifyBundle } from '../workflows/verify/bundle.js';
import { intotoKeygen } from '../workflows/intoto/keygen.js';
import { layoutCreate } from '../workflows/intoto/layout.js';
import { linkRecordStart, linkRecordStop } from '../workflows/intoto/link.js';
import { canonicalizeBundleFile } from '../workflows/bundle/file.js';
import type { Narrator } from './narrate.js';

const GUN = 'example.com/shop/storefront';
const REF = `${GUN}:1.0.0`;

/** A small real image (one gzipped tar layer, an OCI config, a manifest) tagged `tag` in an OCI layout. */
async function writeImage(store: LayoutStore, scratch: string, tag: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(scratch, `rootfs-${tag}`);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  const tgz = path.join(scratch, `${tag}.tar.gz`);
  await createTar({ gzip: true, file: tgz, cwd: dir, portable: true, mtime: new Date(0) }, Object.keys(files).sort());
  const layer = await readFile(tgz);
  const layerDescriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.byteLength };
  await store.pushBlob(layerDescriptor, layer);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/true'] }, rootfs: { type: 'layers', diff_ids: [] } }));
  const configDescriptor = { mediaType: OCI_CONFIG, digest: digestOf(config), size: config.byteLength };
  await store.pushBlob(configDescriptor, config);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDescriptor, layers: [layerDescriptor] }));
  return (await store.pushManifest(manifest, OCI_MANIFEST, tag)).digest;
}

const LAYOUT_DESCRIPTION = `# the storefront supply chain: bob pins the images, carl canonicalizes the bundle that gets signed
expires: 365d
readme: bob fixes up bundle.json (image digests), carl writes its canonical form, which is what is signed and installed
steps:
  - name: fixup
    functionaries: keys/bob.pub
    materials: [ALLOW bundle.json, DISALLOW *]
    products: [MODIFY bundle.json, DISALLOW *]
  - name: canonicalize
    functionaries: keys/carl.pub
    materials: [MATCH bundle.json WITH PRODUCTS FROM fixup, DISALLOW *]
    products: [CREATE bundle.canonical.json, DISALLOW *]
`;

export async function runStory(n: Narrator): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'cnab-trust-demo-story-'));
  const previousCwd = process.cwd();
  const at = (...p: string[]): string => path.join(work, ...p);
  let server: Awaited<ReturnType<typeof startRepositoryServer>> | undefined;
  try {
    process.chdir(work); // in-toto records artifacts relative to the working directory, as in-toto-record does
    n.say(`\nThe whole story, in ${work}`);

    n.step(`cnab-trust init --gun ${GUN}: TUF keys and metadata (root, targets, snapshot, timestamp, targets/releases)`);
    const init = await initRepository({ gun: GUN, metadataDir: at('metadata'), keysDir: at('keys') });
    for (const r of init.roles) n.say(`   ${r.role.padEnd(16)} threshold ${r.threshold}, key ${r.keyids[0]!.slice(0, 12)}…`);
    n.say(`   targets/releases is delegated ${GUN}:* and ${GUN}/in-toto-metadata/*/*.link (CNAB-Sec 301)`);

    n.step('two small real images in an OCI layout (the upstream registry): installer and web');
    const upstream = new LayoutStore(at('upstream'));
    const installer = await writeImage(upstream, work, '1.0.0', { 'install.sh': '#!/bin/sh\necho installing storefront\n' });
    const web = await writeImage(upstream, work, '2.4.1', { 'index.html': '<h1>storefront</h1>\n' });
    n.say(`   ${GUN}-installer:1.0.0 = ${installer}`);
    n.say(`   example.com/shop/web:2.4.1 = ${web}`);
    await writeFile(
      at('bundle.json'),
      JSON.stringify(
        {
          schemaVersion: 'v1.0.0',
          name: 'storefront',
          version: '1.0.0',
          description: 'the demo bundle',
          invocationImages: [{ imageType: 'oci', image: `${GUN}-installer:1.0.0` }],
          images: { web: { imageType: 'oci', image: 'example.com/shop/web:2.4.1', description: 'web front end' } },
        },
        null,
        2,
      ),
    );
    n.say('   bundle.json names both images by tag only (not yet pinned)');

    n.step('in-toto: keys for alice (project owner), bob and carl; a two-step layout signed by alice');
    for (const [name, type] of [['alice', 'ed25519'], ['bob', 'ed25519'], ['carl', 'ecdsa']] as const) {
      const k = await intotoKeygen({ name: `keys/${name}`, type });
      n.say(`   cnab-trust intoto keygen keys/${name} --type ${type}: keyid ${k.keyid.slice(0, 12)}…`);
    }
    await writeFile(at('layout.yaml'), LAYOUT_DESCRIPTION);
    const layout = await layoutCreate({ description: 'layout.yaml', output: 'root.layout', keys: ['keys/alice'] });
    n.say(`   cnab-trust layout create layout.yaml -o root.layout --key keys/alice: steps ${layout.steps.map((s) => s.name).join(' -> ')}`);

    n.step('step "fixup" (bob): cnab-trust push bundle.json oci:registry-a:1.0.0 --fixup --images oci:upstream, recorded as a link');
    await mkdir(at('links'));
    await linkRecordStart({ step: 'fixup', key: 'keys/bob', materials: ['bundle.json'] });
    const pushed = await push('bundle.json', `oci:registry-a:1.0.0`, { fixup: true, images: 'oci:upstream' });
    await linkRecordStop({ step: 'fixup', key: 'keys/bob', products: ['bundle.json'], metadataDirectory: 'links' });
    for (const i of pushed.images) n.say(`   pinned ${i.image}: ${i.reference} = ${i.digest}`);
    n.say('   (a fixup changes bundle.json, so it comes before signing; a later push of a signed bundle must not fix up)');
    n.say(`   pushed into oci:registry-a:1.0.0 (cnab-to-oci layout: bundle config blob + index ${pushed.digest.slice(0, 19)}…)`);

    n.step('step "canonicalize" (carl): cnab-trust canonicalize bundle.json -o bundle.canonical.json, recorded as a link');
    await linkRecordStart({ step: 'canonicalize', key: 'keys/carl', materials: ['bundle.json'] });
    const { report: canonical } = await canonicalizeBundleFile('bundle.json', 'bundle.canonical.json');
    await linkRecordStop({ step: 'canonicalize', key: 'keys/carl', products: ['bundle.canonical.json'], metadataDirectory: 'links' });
    n.say(`   bundle.canonical.json: ${canonical.length} bytes, ${canonical.digest}`);

    n.step(`cnab-trust sign bundle.canonical.json --ref ${REF} --layout root.layout --layout-keys keys/alice.pub --links links/`);
    const signed = await signBundle({
      input: 'bundle.canonical.json',
      ref: REF,
      metadataDir: at('metadata'),
      keysDir: at('keys'),
      layout: 'root.layout',
      layoutKeys: ['keys/alice.pub'],
      links: 'links',
    });
    n.say(`   ${signed.role} signs ${signed.target.name} (sha256 ${signed.target.hashes['sha256']!.slice(0, 16)}…, ${signed.target.length} bytes) and ${signed.links.length} links`);
    n.say(`   targets signs the layout ${signed.layout!.name} and its key ${signed.layoutKeys[0]!.name.split('/').pop()!.slice(0, 16)}…`);

    n.step('cnab-trust relocate oci:registry-a:1.0.0 oci:registry-b (the operator copies the bundle into a private registry)');
    const relocated = await relocate('oci:registry-a:1.0.0', 'oci:registry-b', { output: 'relocation-mapping.json' });
    n.say(`   copied ${relocated.stats.manifestsCopied} manifests and ${relocated.stats.blobsCopied} blobs (${relocated.stats.bytesCopied} bytes) verbatim; index ${relocated.digest.slice(0, 19)}… (same digest)`);
    n.say('   relocation-mapping.json:');
    for (const [k, v] of Object.entries(relocated.mapping)) n.say(`     ${k} -> ${v.replace(work + path.sep, '')}`);

    server = await startRepositoryServer({ dir: at('metadata') });
    const verify = (): Promise<VerifyReport> =>
      verifyBundle({ bundle: 'oci:registry-b:1.0.0', target: REF, trustedRootPath: at('metadata', '1.root.json'), metadata: server!.url });

    n.step(`cnab-trust verify oci:registry-b:1.0.0 --target ${REF} --trusted-root metadata/1.root.json --metadata ${server.url}`);
    n.say('   (the metadata is served by cnab-trust serve on loopback; the verifier trusts only root.json)');
    const ok = await verify();
    n.say(indent(formatVerifyReport(ok, { checks: false })));
    if (!ok.verified) n.unexpected(`the relocated bundle did not verify: ${ok.error?.code} ${ok.error?.message}`);

    n.step('an attacker with write access to registry B replaces the relocated web image with other content');
    const swapped = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: digestOf(Buffer.from('{}')), size: 2 }, layers: [] }));
    const webDigest = pushed.images.find((i) => i.image.includes('web'))!.digest;
    await writeFile(at('registry-b', 'blobs', 'sha256', webDigest.slice('sha256:'.length)), swapped);
    n.say(`   registry-b/blobs/sha256/${webDigest.slice(7, 19)}… now holds another manifest`);
    n.step('cnab-trust verify oci:registry-b:1.0.0 again');
    const refused = await verify();
    n.say(indent(formatVerifyReport(refused, { checks: false })));
    if (refused.verified) n.unexpected('the tampered bundle verified');
    else n.say(`   refused as expected: error[${refused.error!.code}]`);
  } finally {
    process.chdir(previousCwd);
    await server?.close();
    await rm(work, { recursive: true, force: true });
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `   ${l}`)
    .join('\n');
}
