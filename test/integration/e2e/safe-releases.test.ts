/**
 * Safe releases, through the CLI against a real docker-registry: the signer's mistakes and
 * interruptions that used to publish a key, break earlier releases, publish a release that cannot verify, or
 * report success on a cancelled prompt.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKey } from '../../../src/core/crypto/keygen.js';
import { makeChain, type SignedChain } from '../../helpers/intoto-chain.js';
import { startReleaseRegistry, type ReleaseRegistry } from '../../helpers/release-registry.js';
import { cliMain, runCliIn, type CliRun } from '../../helpers/cli.js';
import { repoRoot } from '../../helpers/fixtures.js';

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
  let rr: ReleaseRegistry;
  let tmp: ReleaseRegistry['tmp'];
  let gun: string;
  let image: ReleaseRegistry['image'];
  const f = (...p: string[]): string => path.join(tmp.path, ...p);
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}): CliRun => runCliIn(tmp.path, args, { ...process.env, ...env });
  const errorOf = (r: CliRun): { code: string; message: string; subject?: string; details?: Record<string, unknown> } =>
    JSON.parse(r.stdout).error;

  const bundle = (version: string): { file: string; bytes: Buffer } => rr.bundle(version);

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
    rr = await startReleaseRegistry('cnab-trust-safe-releases-');
    ({ tmp, gun, image } = rr);
  });
  after(async () => {
    await rr?.stop();
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
      // a trusted root carrying a private key
      const root = JSON.parse(readFileSync(path.join(repo.metadata, '1.root.json'), 'utf8'));
      const [keyid] = Object.keys(root.signed.keys);
      root.signed.keys[keyid!].keyval.private = JSON.parse(k.privateFile).keyval.private;
      writeFileSync(f('rotate-private', 'root.json'), JSON.stringify(root));
      const t = cli(['tuf', 'get', `${gun}:1.0.3`, '--trusted-root', f('rotate-private', 'root.json'), '--metadata', repo.metadata, '--json']);
      assert.equal(t.status, 2, t.stdout + t.stderr);
      assert.equal(errorOf(t).code, 'E_KEY_PRIVATE');
      assert.match(errorOf(t).message, /--trusted-root/);
    });
  });

  /** `verify` of a signed bundle through the CLI (fresh cache): its status and report. */
  function verify(repo: { metadata: string }, target: string, bundleFile: string): { status: number | null; verified: boolean; code?: string } {
    const r = cli(['verify', bundleFile, '--target', target, '--trusted-root', path.join(repo.metadata, '1.root.json'), '--metadata', repo.metadata, '--json']);
    const report = JSON.parse(r.stdout);
    return { status: r.status, verified: report.verified === true, ...(report.error ? { code: report.error.code } : {}) };
  }

  const tagExists = (_repository: string, tag: string): Promise<boolean> => rr.tagged(tag);

  describe('2. sign checks the release before it signs', () => {
    it('--layout-keys of a key that did not sign the layout is refused (E_INTOTO_LAYOUT_SIGNATURE), earlier releases still verify', () => {
      const repo = init('wrong-layout-key');
      const b1 = bundle('2.0.0');
      const c1 = chain('2.0.0', b1.bytes);
      const ok = cli(['sign', b1.file, '--ref', `${gun}:2.0.0`, '--metadata', repo.metadata, '--keys', repo.keys,
        '--layout', path.join(c1.dir, 'root.layout'), '--layout-keys', path.join(c1.dir, 'owner.pub'), '--links', path.join(c1.dir, 'links')]);
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /in-toto verified before signing: .* \(2 step\(s\)\), final product this bundle/);
      assert.deepEqual(verify(repo, `${gun}:2.0.0`, b1.file), { status: 0, verified: true });
      // bob did not sign the layout: one wrong flag
      const bob = generateKey('ed25519');
      writeFileSync(f('wrong-layout-key', 'bob.pub'), bob.publicFile);
      const b2 = bundle('2.0.1');
      const c2 = chain('2.0.1', b2.bytes, { ownerKey: c1.chain.ownerKey });
      const before = published(repo.metadata);
      const r = cli(['sign', b2.file, '--ref', `${gun}:2.0.1`, '--metadata', repo.metadata, '--keys', repo.keys,
        '--layout', path.join(c2.dir, 'root.layout'), '--layout-keys', f('wrong-layout-key', 'bob.pub'), '--links', path.join(c2.dir, 'links'), '--json']);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.equal(errorOf(r).code, 'E_INTOTO_LAYOUT_SIGNATURE');
      assert.match(errorOf(r).message, /nothing was signed/);
      assert.deepEqual(published(repo.metadata), before);
      assert.deepEqual(verify(repo, `${gun}:2.0.0`, b1.file), { status: 0, verified: true });
    });

    it('an expired layout, a missing link, a link by another functionary: each refused with its in-toto code', () => {
      const repo = init('sign-checks');
      const cases: [string, (dir: string, c: SignedChain) => void, Parameters<typeof makeChain>[1], string][] = [
        ['2.1.0', () => undefined, { expires: new Date(Date.now() - 86_400_000) }, 'E_INTOTO_LAYOUT_EXPIRED'],
        ['2.1.1', (dir, c) => { for (const n of c.links.keys()) if (n.startsWith('step1.')) writeFileSync(path.join(dir, 'links', n), ''); }, {}, 'E_INTOTO_INVALID'],
        ['2.1.2', (dir, c) => {
          const other = makeChain(Buffer.from('other'), { ownerKey: c.ownerKey });
          for (const n of c.links.keys()) if (n.startsWith('step2.')) writeFileSync(path.join(dir, 'links', n), other.links.get([...other.links.keys()].find((k) => k.startsWith('step2.'))!)!);
        }, {}, 'E_INTOTO_LINK_NOT_FOUND'],
      ];
      for (const [version, spoil, options, code] of cases) {
        const b = bundle(version);
        const c = chain(version, b.bytes, options);
        spoil(c.dir, c.chain);
        const r = cli(['sign', b.file, '--ref', `${gun}:${version}`, '--metadata', repo.metadata, '--keys', repo.keys,
          '--layout', path.join(c.dir, 'root.layout'), '--layout-keys', path.join(c.dir, 'owner.pub'), '--links', path.join(c.dir, 'links'), '--json']);
        assert.equal(r.status, 1, `${version}: ${r.stdout}${r.stderr}`);
        assert.equal(errorOf(r).code, code, `${version}: ${errorOf(r).message}`);
      }
      assert.equal(existsSync(path.join(repo.metadata, 'targets')), false);
    });

    it('--allow-unverified signs anyway, and the report says so', () => {
      const repo = init('allow-unverified');
      const b = bundle('2.2.0');
      const c = chain('2.2.0', b.bytes);
      const r = cli(['sign', b.file, '--ref', `${gun}:2.2.0`, '--metadata', repo.metadata, '--keys', repo.keys, '--allow-unverified',
        '--layout', path.join(c.dir, 'root.layout'), '--layout-keys', path.join(c.dir, 'owner.pub')]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /in-toto UNVERIFIED, signed anyway \(--allow-unverified\): error\[E_INTOTO_LINK_NOT_FOUND\]/);
    });
  });

  describe('2b. layouts and their keys are versioned', () => {
    it('a release signed under a new layout and new keys leaves older releases verifiable until the old layout is revoked', () => {
      const repo = init('layout-rotation');
      const sign = (version: string, c: { dir: string }, b: { file: string }): CliRun =>
        cli(['sign', b.file, '--ref', `${gun}:${version}`, '--metadata', repo.metadata, '--keys', repo.keys, '--json',
          '--layout', path.join(c.dir, 'root.layout'), '--layout-keys', path.join(c.dir, 'owner.pub'), '--links', path.join(c.dir, 'links')]);
      const b1 = bundle('5.0.0');
      const c1 = chain('5.0.0', b1.bytes);
      const r1 = sign('5.0.0', c1, b1);
      assert.equal(r1.status, 0, r1.stdout + r1.stderr);
      const layout1 = JSON.parse(r1.stdout).layout.name as string;
      const hash1 = createHash('sha256').update(c1.chain.layout).digest('hex');
      assert.equal(layout1, `${gun}/in-toto-metadata/${hash1}.root.layout`);
      // the release names its layout and layout keys with their hashes
      const bound = JSON.parse(r1.stdout).target.custom['in-toto-targets'];
      assert.deepEqual(bound[layout1], { length: c1.chain.layout.length, hashes: { sha256: hash1 } });
      assert.equal(Object.keys(bound).length, 2);
      // a new layout, signed by a new owner key, with new functionaries
      const b2 = bundle('5.1.0');
      const c2 = chain('5.1.0', b2.bytes);
      const r2 = sign('5.1.0', c2, b2);
      assert.equal(r2.status, 0, r2.stdout + r2.stderr);
      assert.notEqual(JSON.parse(r2.stdout).layout.name, layout1);
      assert.deepEqual(verify(repo, `${gun}:5.0.0`, b1.file), { status: 0, verified: true });
      assert.deepEqual(verify(repo, `${gun}:5.1.0`, b2.file), { status: 0, verified: true });
      // the old layout revoked on purpose (targets key): releases bound to it fail, the others still verify
      const rv = cli(['metadata', 'revoke-layout', hash1, '--metadata', repo.metadata, '--keys', repo.keys]);
      assert.equal(rv.status, 0, rv.stdout + rv.stderr);
      const v1 = verify(repo, `${gun}:5.0.0`, b1.file);
      assert.equal(v1.verified, false);
      assert.equal(v1.code, 'E_TUF_TARGET_NOT_FOUND');
      assert.deepEqual(verify(repo, `${gun}:5.1.0`, b2.file), { status: 0, verified: true });
      const again = cli(['metadata', 'revoke-layout', hash1, '--metadata', repo.metadata, '--keys', repo.keys, '--json']);
      assert.equal(errorOf(again).code, 'E_TUF_TARGET_NOT_FOUND');
    });
  });

  describe('3. pipeline verifies before it publishes', () => {
    it('pipeline without the links the layout requires: refused before signing or pushing, no TUF target, no tag', async () => {
      const repo = init('pipeline-no-links');
      const b1 = bundle('3.0.0');
      const c1 = chain('3.0.0', b1.bytes);
      const ok = cli(['pipeline', '--bundle', b1.file, '--ref', `${gun}:3.0.0`, '--metadata', repo.metadata, '--keys', repo.keys,
        '--layout', path.join(c1.dir, 'root.layout'), '--layout-keys', path.join(c1.dir, 'owner.pub'), '--links', path.join(c1.dir, 'links')]);
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.ok(await tagExists('org/app', '3.0.0'));
      const b2 = bundle('3.0.1');
      const before = published(repo.metadata);
      const r = cli(['pipeline', '--bundle', b2.file, '--ref', `${gun}:3.0.1`, '--metadata', repo.metadata, '--keys', repo.keys, '--report', f('pipeline-no-links', 'report.json')]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      const report = JSON.parse(readFileSync(f('pipeline-no-links', 'report.json'), 'utf8'));
      assert.equal(report.error.code, 'E_INTOTO_LINK_NOT_FOUND');
      assert.equal(report.push, null);
      assert.deepEqual(published(repo.metadata), before);
      assert.equal(await tagExists('org/app', '3.0.1'), false);
    });
  });

  describe('3b. publishing is a transaction', () => {
    it('a release that fails verification after the push: no new TUF target, no tag, the report says what was dropped', async () => {
      const repo = init('transaction');
      const b = bundle('3.1.0');
      // the supply chain verifies at signing, but its inspection (run by verify, not by sign) fails
      const c = chain('3.1.0', b.bytes, { inspection: ['false'] });
      const before = published(repo.metadata);
      const r = cli(['pipeline', '--bundle', b.file, '--ref', `${gun}:3.1.0`, '--metadata', repo.metadata, '--keys', repo.keys,
        '--layout', path.join(c.dir, 'root.layout'), '--layout-keys', path.join(c.dir, 'owner.pub'), '--links', path.join(c.dir, 'links'),
        '--report', f('transaction', 'report.json')]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /^dropped {2}E_INTOTO_INSPECTION: nothing was published, the staged metadata was dropped/m);
      const report = JSON.parse(readFileSync(f('transaction', 'report.json'), 'utf8'));
      assert.equal(report.error.code, 'E_INTOTO_INSPECTION');
      assert.equal(report.transaction.published, false);
      assert.equal(report.transaction.tagged, false);
      assert.equal(report.push.tagged, false);
      assert.match(report.push.reference, /@sha256:[0-9a-f]{64}$/);
      assert.deepEqual(published(repo.metadata), before);
      assert.equal(await tagExists('org/app', '3.1.0'), false);
      assert.equal(existsSync(path.join(repo.metadata, '.cnab-trust', 'staging')), false);
      assert.equal(existsSync(path.join(repo.metadata, '.cnab-trust', 'lock')), false);
    });

    it('pipeline --fixup pins the images as push --fixup does, then signs, verifies, publishes and tags', async () => {
      const repo = init('fixup');
      const json = JSON.parse(bundle('3.2.0').bytes.toString('utf8'));
      delete json.invocationImages[0].contentDigest;
      writeFileSync(f('fixup', 'bundle.json'), JSON.stringify(json));
      const r = cli(['pipeline', '--bundle', f('fixup', 'bundle.json'), '--ref', `${gun}:3.2.0`, '--metadata', repo.metadata, '--keys', repo.keys, '--fixup', '--report', f('fixup', 'report.json')]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(JSON.parse(readFileSync(f('fixup', 'bundle.json'), 'utf8')).invocationImages[0].contentDigest, image.manifest.digest);
      const report = JSON.parse(readFileSync(f('fixup', 'report.json'), 'utf8'));
      assert.deepEqual([report.push.fixup, report.transaction.published, report.transaction.tagged, report.verify.verified], [true, true, true, true]);
      assert.ok(await tagExists('org/app', '3.2.0'));
      assert.deepEqual(verify(repo, `${gun}:3.2.0`, `${gun}:3.2.0`), { status: 0, verified: true });
    });
  });

  describe('4. interrupts and locks', () => {
    const ptyRun = path.join(repoRoot, 'test/fixtures/process/pty-run.py');
    /** sign on a terminal, typing `keys` at the passphrase prompt: output and exit status. */
    function signOnTerminal(repo: { metadata: string; keys: string }, b: { file: string }, version: string, keys: string): { out: string; status: number } {
      const env = { ...process.env };
      delete env['CNAB_TRUST_PASSPHRASE'];
      const r = spawnSync('python3', [ptyRun, 'Passphrase to', keys, process.execPath, cliMain, 'sign', b.file, '--ref', `${gun}:${version}`,
        '--metadata', repo.metadata, '--keys', repo.keys], { encoding: 'utf8', cwd: tmp.path, env });
      const m = /\nEXIT (\d+)\n$/.exec(r.stdout);
      assert.ok(m, r.stdout + r.stderr);
      return { out: r.stdout, status: Number(m[1]) };
    }
    function encryptedRepo(name: string): { metadata: string; keys: string } {
      const metadata = f(name, 'metadata');
      const keys = f(name, 'keys');
      const r = cli(['init', '--gun', gun, '--metadata', metadata, '--keys', keys, '--encrypt'], { CNAB_TRUST_PASSPHRASE: 'secret-pass' });
      assert.equal(r.status, 0, r.stderr);
      return { metadata, keys };
    }

    for (const [what, keys, status] of [['Ctrl-C', '\\x03', 130], ['Ctrl-D (EOF)', '\\x04', 2]] as const) {
      it(`${what} at the passphrase prompt: E_PASSPHRASE, exit ${status}, lock released, nothing signed; the next sign works`, () => {
        const repo = encryptedRepo(`prompt-${status}`);
        const b = bundle(`4.0.${status}`);
        const before = published(repo.metadata);
        const r = signOnTerminal(repo, b, `4.0.${status}`, keys);
        assert.equal(r.status, status, r.out);
        assert.match(r.out, /error\[E_PASSPHRASE\]/);
        assert.deepEqual(published(repo.metadata), before);
        assert.equal(existsSync(path.join(repo.metadata, '.cnab-trust', 'lock')), false);
        const next = cli(['sign', b.file, '--ref', `${gun}:4.0.${status}`, '--metadata', repo.metadata, '--keys', repo.keys], { CNAB_TRUST_PASSPHRASE: 'secret-pass' });
        assert.equal(next.status, 0, next.stderr);
      });
    }

    it('a lock left by a dead process on this host is broken with a notice; a live holder is named (host, pid, start time)', () => {
      const repo = init('stale-lock');
      const lock = path.join(repo.metadata, '.cnab-trust', 'lock');
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      const deadPid = Number(dead.stdout);
      writeFileSync(lock, JSON.stringify({ host: hostname(), pid: deadPid, started: '2026-01-01T00:00:00.000Z' }));
      const b = bundle('4.1.0');
      const r = cli(['sign', b.file, '--ref', `${gun}:4.1.0`, '--metadata', repo.metadata, '--keys', repo.keys]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`^notice: broke the stale repository lock .* of pid ${deadPid} on ${hostname()}, since 2026-01-01T00:00:00.000Z: that process is gone$`, 'm'));
      assert.equal(existsSync(lock), false);
      // the older text form of a lock, from a dead process, too
      writeFileSync(lock, `pid ${deadPid} on ${hostname()}`);
      const r2 = cli(['sign', b.file, '--ref', `${gun}:4.1.1`, '--metadata', repo.metadata, '--keys', repo.keys]);
      assert.equal(r2.status, 0, r2.stderr);
      // a live holder (this test process) is not broken
      writeFileSync(lock, JSON.stringify({ host: hostname(), pid: process.pid, started: '2026-01-02T00:00:00.000Z' }));
      const r3 = cli(['sign', b.file, '--ref', `${gun}:4.1.2`, '--metadata', repo.metadata, '--keys', repo.keys, '--json']);
      assert.equal(r3.status, 3, r3.stdout + r3.stderr);
      assert.equal(errorOf(r3).code, 'E_TUF_LOCKED');
      assert.match(errorOf(r3).message, new RegExp(`pid ${process.pid} on ${hostname()}, since 2026-01-02`));
      // nor is one from another host (its process cannot be checked)
      writeFileSync(lock, JSON.stringify({ host: 'elsewhere.example', pid: deadPid, started: '2026-01-02T00:00:00.000Z' }));
      assert.equal(cli(['sign', b.file, '--ref', `${gun}:4.1.2`, '--metadata', repo.metadata, '--keys', repo.keys]).status, 3);
    });
  });
});
