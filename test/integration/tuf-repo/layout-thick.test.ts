/**
 * sign with the supply chain (CNAB-Sec 301 "Extending the MVP"): the layout and its keys are targets of `targets`,
 * the links targets of `targets/releases`, the bundle's custom.in-toto lists them; the client downloads each, and
 * the change waits for the offline targets key when it is not here. Thick bundles are signed as archive bytes.
 */
import assert from 'node:assert/strict';
import { canonicalPublicKeyFile, parsePublicKeyFile } from '../../../src/core/crypto/key-files.js';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { rejectsCode } from '../../helpers/assert.js';
import { intotoFixtures } from '../../helpers/fixtures.js';
import { initRepository } from '../../../src/workflows/tuf/init.js';
import { signBundle } from '../../../src/workflows/tuf/sign.js';
import { signStaged } from '../../../src/workflows/tuf/metadata.js';
import { downloadTrustedTarget } from '../../../src/workflows/tuf/get.js';
import { writeThickBundle } from '../../../src/adapters/archive/index.js';
import { GUN, clientGet, pinnedBundle } from './helpers.js';

const demo = path.join(intotoFixtures, 'cases/demo-pass');
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('TUF repository: sign with in-toto layout and links; thick bundles', function () {
  this.timeout(60000);
  let tmp: ReturnType<typeof makeTempDir>;
  let d: { metadataDir: string; keysDir: string };
  beforeEach(() => {
    tmp = makeTempDir('cnab-trust-tuflayout-');
    d = { metadataDir: path.join(tmp.dir, 'metadata'), keysDir: path.join(tmp.dir, 'keys') };
  });
  afterEach(() => tmp.remove());

  async function download(name: string): Promise<Buffer> {
    const r = await downloadTrustedTarget(name, { trustedRoot: readFileSync(path.join(d.metadataDir, '1.root.json')), metadata: d.metadataDir });
    return r.bytes!;
  }

  it('layout + keys in targets, links in targets/releases, listed in custom.in-toto as CNAB-Sec 301 shows', async () => {
    await initRepository({ ...d, gun: GUN });
    const r = await signBundle({
      ...d,
      input: pinnedBundle(tmp.dir),
      ref: `${GUN}:1.0.0`,
      layout: path.join(demo, 'root.layout'),
      layoutKeys: [path.join(demo, 'alice.pub')],
      links: demo,
      allowUnverified: true, // the demo chain's final product is another bundle: only the names are under test
    });
    assert.equal(r.check.allowedUnverified?.code, 'E_INTOTO_FINAL_PRODUCT');
    const bundleSha = r.target.hashes.sha256!;
    const linkNames = ['package.5b000b04.link', 'write-code.96f74413.link'].map((l) => `${GUN}/in-toto-metadata/${bundleSha}/${l}`);
    assert.deepEqual(r.links.map((l) => l.name), linkNames);
    const t = await clientGet(d.metadataDir, `${GUN}:1.0.0`);
    // the layout's name is content-addressed: a later layout does not replace it
    const layoutName = `${GUN}/in-toto-metadata/${createHash('sha256').update(readFileSync(path.join(demo, 'root.layout'))).digest('hex')}.root.layout`;
    assert.deepEqual(t.custom['in-toto'], [layoutName, ...linkNames]);
    const layout = await clientGet(d.metadataDir, layoutName);
    const keyTargets = layout.custom['in-toto'] as string[];
    assert.equal(keyTargets.length, 1);
    assert.match(keyTargets[0]!, new RegExp(`^${GUN}/in-toto-pubkeys/[0-9a-f]{64}\\.pub$`));
    // Every listed file downloads, verified, with the exact bytes given.
    assert.deepEqual(await download(layoutName), readFileSync(path.join(demo, 'root.layout')));
    // the key target is the derived public key in canonical form (for rsa the SPKI PEM, newline-ended), not the file given
    const alice = parsePublicKeyFile(readFileSync(path.join(demo, 'alice.pub')), 'alice.pub');
    assert.deepEqual(await download(keyTargets[0]!), canonicalPublicKeyFile(alice));
    assert.equal(parsePublicKeyFile(await download(keyTargets[0]!), 'target').keyid, alice.keyid);
    assert.deepEqual(await download(linkNames[0]!), readFileSync(path.join(demo, 'package.5b000b04.link')));
    // A later sign without --layout still lists the layout the targets role signs.
    const r2 = await signBundle({ ...d, input: pinnedBundle(tmp.dir, 'b2.json', '0.2.0'), ref: `${GUN}:2.0.0`, allowUnverified: true });
    assert.equal(r2.check.layout, layoutName);
    assert.equal(r2.check.allowedUnverified?.code, 'E_INTOTO_LINK_NOT_FOUND');
    assert.deepEqual(r2.target.custom!['in-toto'], [layoutName]);
  });

  it('the targets key is offline: the whole change is staged until it signs', async () => {
    const init = await initRepository({ ...d, gun: GUN });
    const targetsKey = init.roles.find((x) => x.role === 'targets')!.keyids[0]!;
    mkdirSync(path.join(tmp.dir, 'offline'));
    const offline = path.join(tmp.dir, 'offline', `${targetsKey}.key`);
    renameSync(path.join(d.keysDir, `${targetsKey}.key`), offline);
    const e = await rejectsCode(
      signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0`, layout: path.join(demo, 'root.layout'), layoutKeys: [path.join(demo, 'alice.pub')], links: demo, allowUnverified: true }),
      'E_TUF_STAGED',
    );
    assert.match(e.message, /targets has 0\/1/);
    // Neither the bundle nor its layout is visible before the targets signature.
    await rejectsCode(clientGet(d.metadataDir, `${GUN}:1.0.0`), 'E_TUF_TARGET_NOT_FOUND');
    const r = await signStaged({ ...d, role: 'targets', keyFile: offline });
    assert.equal(r.published, true);
    const listed = (await clientGet(d.metadataDir, `${GUN}:1.0.0`)).custom['in-toto'] as string[];
    assert.match(listed[0]!, /\/in-toto-metadata\/[0-9a-f]{64}\.root\.layout$/);
    await clientGet(d.metadataDir, listed[0]!);
  });

  it('refuses --layout without --layout-keys, and a links directory without links', async () => {
    await initRepository({ ...d, gun: GUN });
    await rejectsCode(signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1`, layout: path.join(demo, 'root.layout') }), 'E_USAGE');
    mkdirSync(path.join(tmp.dir, 'empty'));
    await rejectsCode(signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1`, links: path.join(tmp.dir, 'empty') }), 'E_FILE_NOT_FOUND');
  });

  it('a thick bundle: the target is the archive bytes, custom.digest the canonical bundle.json', async () => {
    await initRepository({ ...d, gun: GUN });
    const thin = readFileSync(pinnedBundle(tmp.dir));
    const archive = path.join(tmp.dir, 'bundle.tgz');
    await writeThickBundle(archive, { bundleBytes: thin });
    const r = await signBundle({ ...d, input: archive, ref: `${GUN}:1.0.0-thick` });
    assert.equal(r.kind, 'thick');
    const bytes = readFileSync(archive);
    assert.equal(r.target.hashes.sha256, sha256(bytes));
    assert.equal(r.target.length, bytes.length);
    const t = await clientGet(d.metadataDir, `${GUN}:1.0.0-thick`);
    assert.match(String(t.custom.digest), /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(t.custom.digest, `sha256:${t.hashes.sha256}`);
    assert.deepEqual(await download(`${GUN}:1.0.0-thick`), bytes);
  });
});
