/**
 * Safe releases (issue 10), through the CLI against a real docker-registry: the signer's mistakes and
 * interruptions that used to publish a key, break earlier releases, publish a release that cannot verify, or
 * report success on a cancelled prompt.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalizeBundleBytes } from '../../../src/core/cnab/canonical.js';
import { generateKey } from '../../../src/core/crypto/keygen.js';
import { makeChain, type SignedChain } from '../../helpers/intoto-chain.js';
import { seedImage, startRegistry, tempDir, writeImageLayout, type RunningRegistry, type TempDir, type TestImage } from '../../helpers/registry.js';
import { runCliIn, type CliRun } from '../../helpers/cli.js';

/** Every file under a directory (relative paths), to compare repository states. */
function filesUnder(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = path.join(prefix, e.name);
    if (e.isDirectory()) for (const [k, v] of filesUnder(path.join(dir, e.name), rel)) out.set(k, v);
    else out.set(rel, readFileSync(path.join(dir, e.name), 'latin1'));
  }
  return out;
}

/** The published part of a metadata repository (the writer's private state left out). */
function published(metadataDir: string): Map<string, string> {
  const all = filesUnder(metadataDir);
  for (const k of [...all.keys()]) if (k.startsWith('.cnab-trust')) all.delete(k);
  return all;
}

describe('safe releases: the signer\'s mistakes and interruptions, through the CLI (docker-registry)', function () {
  this.timeout(300_000);
  let registry: RunningRegistry;
  let tmp: TempDir;
  let gun: string;
  let image: TestImage;
  const f = (...p: string[]): string => path.join(tmp.path, ...p);
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}): CliRun => runCliIn(tmp.path, args, { ...process.env, ...env });
  const errorOf = (r: CliRun): { code: string; message: string; subject?: string; details?: Record<string, unknown> } =>
    JSON.parse(r.stdout).error;

  /** A canonical, pinned bundle.json of this version (its bytes are the signed target). */
  function bundle(version: string): { file: string; bytes: Buffer } {
    const json = {
      schemaVersion: 'v1.0.0',
      name: 'app',
      version,
      invocationImages: [{ imageType: 'oci', image: `${registry.host}/src/installer:1`, contentDigest: image.manifest.digest, mediaType: image.manifest.mediaType, size: image.manifest.size }],
    };
    const bytes = canonicalizeBundleBytes(Buffer.from(JSON.stringify(json))).bytes as Buffer;
    const file = f(`bundle-${version}.json`);
    writeFileSync(file, bytes);
    return { file, bytes: Buffer.from(bytes) };
  }

  /** A supply chain whose final product is this bundle: layout, owner key files, links directory. */
  function chain(version: string, bytes: Buffer, options: Parameters<typeof makeChain>[1] = {}): { dir: string; chain: SignedChain } {
    const c = makeChain(bytes, options);
    const dir = f(`chain-${version}`);
    mkdirSync(path.join(dir, 'links'), { recursive: true });
    writeFileSync(path.join(dir, 'root.layout'), c.layout);
    writeFileSync(path.join(dir, 'owner.pub'), c.ownerKey.publicFile);
    writeFileSync(path.join(dir, 'owner'), c.ownerKey.privateFile);
    for (const [name, b] of c.links) writeFileSync(path.join(dir, 'links', name), b);
    return { dir, chain: c };
  }

  function init(name: string): { metadata: string; keys: string } {
    const metadata = f(name, 'metadata');
    const keys = f(name, 'keys');
    const r = cli(['init', '--gun', gun, '--metadata', metadata, '--keys', keys]);
    assert.equal(r.status, 0, r.stderr);
    return { metadata, keys };
  }

  before(async () => {
    registry = await startRegistry();
    tmp = await tempDir('cnab-trust-safe-releases-');
    gun = `${registry.host}/org/app`;
    image = await writeImageLayout(f('seed'), 'installer', [{ 'install.sh': `echo ${Math.random()}\n` }]);
    await seedImage(f('seed'), 'installer', `${registry.host}/src/installer:1`);
  });
  after(async () => {
    await registry?.stop();
    await tmp?.cleanup();
  });

  describe('1. a private key given where a public key is expected is refused, and never published', () => {
    it('sign --layout-keys <private key file>: E_KEY_PRIVATE naming the file and the flag, nothing published', () => {
      const repo = init('key-private');
      const b = bundle('1.0.0');
      const { dir } = chain('1.0.0', b.bytes);
      // the typo of the issue: the private key file instead of its .pub
      const before = published(repo.metadata);
      const r = cli(['sign', b.file, '--ref', `${gun}:1.0.0`, '--metadata', repo.metadata, '--keys', repo.keys,
        '--layout', path.join(dir, 'root.layout'), '--layout-keys', path.join(dir, 'owner'), '--links', path.join(dir, 'links'), '--json']);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      const e = errorOf(r);
      assert.equal(e.code, 'E_KEY_PRIVATE');
      assert.equal(e.subject, path.join(dir, 'owner'));
      assert.match(e.message, /--layout-keys/);
      assert.deepEqual(published(repo.metadata), before);
      for (const [file, text] of published(repo.metadata)) assert.doesNotMatch(text, /"private"|PRIVATE KEY/, file);
    });

    it('intoto keygen then --layout-keys keys/alice (no .pub): refused, the key is not served', () => {
      const repo = init('keygen-typo');
      const r0 = cli(['intoto', 'keygen', f('keygen-typo', 'alice')]);
      assert.equal(r0.status, 0, r0.stderr);
      const b = bundle('1.0.1');
      const r = cli(['sign', b.file, '--ref', `${gun}:1.0.1`, '--metadata', repo.metadata, '--keys', repo.keys,
        '--layout', path.join(chain('1.0.1', b.bytes).dir, 'root.layout'), '--layout-keys', f('keygen-typo', 'alice'), '--json']);
      assert.equal(errorOf(r).code, 'E_KEY_PRIVATE');
      assert.equal(existsSync(path.join(repo.metadata, 'targets')), false);
    });

    it('a layout carrying a private key (keyval.private) is refused before anything is written', () => {
      const repo = init('layout-private');
      const b = bundle('1.0.2');
      const { dir, chain: c } = chain('1.0.2', b.bytes);
      const layout = JSON.parse(c.layout.toString('utf8'));
      const leaked = JSON.parse(c.functionaries[0]!.privateFile);
      layout.signed.keys[leaked.keyid] = leaked;
      writeFileSync(path.join(dir, 'leaky.layout'), JSON.stringify(layout));
      const before = published(repo.metadata);
      const r = cli(['sign', b.file, '--ref', `${gun}:1.0.2`, '--metadata', repo.metadata, '--keys', repo.keys,
        '--layout', path.join(dir, 'leaky.layout'), '--layout-keys', path.join(dir, 'owner.pub'), '--json']);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(errorOf(r).code, 'E_KEY_PRIVATE');
      assert.equal(errorOf(r).subject, path.join(dir, 'leaky.layout'));
      assert.deepEqual(published(repo.metadata), before);
    });

    it('metadata rotate --add-key and intoto verify --layout-keys refuse private keys too', () => {
      const repo = init('rotate-private');
      const k = generateKey('ed25519');
      writeFileSync(f('rotate-private', 'new'), k.privateFile);
      const r = cli(['metadata', 'rotate', '--role', 'targets/releases', '--add-key', f('rotate-private', 'new'), '--metadata', repo.metadata, '--keys', repo.keys, '--json']);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(errorOf(r).code, 'E_KEY_PRIVATE');
      assert.match(errorOf(r).message, /--add-key/);
      const b = bundle('1.0.3');
      const { dir } = chain('1.0.3', b.bytes);
      const v = cli(['intoto', 'verify', '--layout', path.join(dir, 'root.layout'), '--layout-keys', path.join(dir, 'owner'), '--links', path.join(dir, 'links'), '--json']);
      assert.equal(v.status, 2, v.stdout + v.stderr);
      assert.equal(errorOf(v).code, 'E_KEY_PRIVATE');
    });
  });
});
