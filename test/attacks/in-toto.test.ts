/**
 * Attack class "in-toto": hostile supply-chain metadata reaching `cnab-trust verify` through TUF (the releases
 * key, held online, lists links; functionaries sign links and sublayouts). Each attack runs through the CLI
 * against a TUF repository directory. SECURITY.md maps each threat here.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { runCliIn, type CliRun } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { makeChain, signEnvelope, type SignedChain } from '../helpers/intoto-chain.js';
import { addRelease } from '../helpers/release.js';
import { RELEASES, TufTestRepo } from '../helpers/tuf-repo.js';
import { repoRoot } from '../helpers/fixtures.js';
import { canonicalBundle, parseBundle } from '../../src/core/cnab/index.js';
import { probeSandbox } from '../../src/adapters/process/sandbox.js';

const canonical = Buffer.from(canonicalBundle(parseBundle(readFileSync(path.join(repoRoot, 'test/fixtures/relocation/bundle.json')))).bytes);
const bundleHex = createHash('sha256').update(canonical).digest('hex');

describe('attacks: in-toto (supply-chain metadata through TUF)', function () {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('cnab-trust-attack-intoto-');
  });
  afterEach(() => tmp.remove());

  /** Publish the release (and whatever `extra` adds to it), then run `verify` through the CLI. */
  function verify(chain: SignedChain, extra: (repo: TufTestRepo, linkDir: string) => string[] = () => [], flags: string[] = []): CliRun & { report: { verified: boolean; error?: { code: string }; warnings?: string[]; steps: { name: string; checks?: string[] }[] } } {
    const repo = new TufTestRepo(path.join(tmp.dir, 'metadata'));
    const release = addRelease(repo, '1.0.0', canonical, { chain });
    const linkDir = `${repo.gun}/in-toto-metadata/${bundleHex}`;
    const more = extra(repo, linkDir);
    // the bundle target lists the layout, then the extra links first (so they are met first), then the real ones
    repo.addTarget(release.name, canonical, { 'in-toto': [release.layout!, ...more, ...release.links] });
    repo.publish();
    writeFileSync(path.join(tmp.dir, 'bundle.json'), canonical);
    writeFileSync(path.join(tmp.dir, 'root.json'), repo.trustedRoot());
    const r = runCliIn(tmp.dir, ['verify', 'bundle.json', '--target', release.name, '--trusted-root', 'root.json', '--metadata', repo.dir, '--json', ...flags]);
    assert.notEqual(r.status, 4, `no crash: ${r.stderr}`);
    return { ...r, report: JSON.parse(r.stdout) };
  }

  /** An unsigned link listed by the releases key, naming the bundle's sha256 under `product`. */
  function unsignedLink(repo: TufTestRepo, linkDir: string, file: string, product: string): string {
    const signed = { _type: 'link', name: 'evil', command: [], materials: {}, products: { [product]: { sha256: bundleHex } }, byproducts: {}, environment: {} };
    const name = `${linkDir}/${file}`;
    repo.addTarget(name, Buffer.from(JSON.stringify({ signatures: [], signed })), undefined, RELEASES);
    return name;
  }

  it('an unsigned link naming the bundle with a 300-byte product never reaches the file system', () => {
    const chain = makeChain(canonical, { steps: 2, inspection: ['test', '-f', 'bundle.json'] });
    const r = verify(chain, (repo, dir) => [unsignedLink(repo, dir, 'evil.00000000.link', 'a'.repeat(300))]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.report.verified, true);
  });

  it('an unsigned link naming the bundle with a NUL in its product never reaches the file system', () => {
    const chain = makeChain(canonical, { steps: 2, inspection: ['test', '-f', 'bundle.json'] });
    const r = verify(chain, (repo, dir) => [unsignedLink(repo, dir, 'evil.00000000.link', 'bundle\u0000.json')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.report.verified, true);
  });

  it("a functionary's sublayout inspection does not run without --sublayout-inspections", () => {
    const marker = path.join(tmp.dir, 'pwned');
    const chain = makeChain(canonical, { steps: 2, inspection: ['test', '-f', 'bundle.json'] });
    // step2's functionary signs, as its "link", a layout with no steps and one inspection of its choosing
    const functionary = chain.functionaries[1]!;
    const sublayout = {
      _type: 'layout',
      expires: '2099-01-01T00:00:00Z',
      readme: '',
      keys: {},
      steps: [],
      inspect: [{ _type: 'inspection', name: 'pwn', run: ['sh', '-c', `touch ${marker}`], expected_materials: [], expected_products: [] }],
    };
    const linkName = `step2.${functionary.publicKey.keyid.slice(0, 8)}.link`;
    chain.links.set(linkName, signEnvelope(sublayout, [functionary]));
    const r = verify(chain);
    assert.equal(existsSync(marker), false, 'the sublayout inspection ran');
    assert.equal(r.report.verified, false); // the sublayout produced nothing: not this bundle
    assert.ok(JSON.stringify(r.report).includes('--sublayout-inspections'), r.stdout);

    // opted in, it runs: sandboxed it cannot write outside its scratch directory
    const opted = verify(chain, () => [], ['--sublayout-inspections']);
    if (probeSandbox().available) {
      assert.equal(existsSync(marker), false, 'the sandboxed inspection wrote outside its scratch directory');
      assert.equal(opted.report.error?.code, 'E_INTOTO_INSPECTION');
    } else {
      assert.equal(existsSync(marker), true);
    }
  });

  /** A link target the releases key lists with a signed length and hash, whose file the repository does not hold. */
  function listedOnly(repo: TufTestRepo, name: string, length: number): string {
    repo.targets[RELEASES][name] = { length, hashes: { sha256: 'ab'.repeat(32) } };
    return name;
  }

  it('links no authorized functionary could have written are never downloaded (huge links)', () => {
    const chain = makeChain(canonical, { steps: 2 });
    // 16 links of 60 MB signed by nobody: listed by the releases key, absent from the repository
    const r = verify(chain, (repo, dir) => Array.from({ length: 16 }, (_, i) => listedOnly(repo, `${dir}/huge${i}.0000000${i % 10}.link`, 60_000_000)));
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('a target listing more than 1,000 links is refused before any is read', () => {
    const chain = makeChain(canonical, { steps: 2 });
    const r = verify(chain, (repo, dir) => Array.from({ length: 1001 }, (_, i) => listedOnly(repo, `${dir}/many${i}.00000000.link`, 100)));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(r.report.error?.code, 'E_FILE_TOO_LARGE');
  });

  it("an authorized functionary's link larger than the budget is refused by its signed length, before download", () => {
    const chain = makeChain(canonical, { steps: 2 });
    const step1 = [...chain.links.keys()].find((k) => k.startsWith('step1.'))!;
    chain.links.delete(step1);
    const r = verify(chain, (repo, dir) => [listedOnly(repo, `${dir}/${step1}`, 65 * 1024 * 1024)]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(r.report.error?.code, 'E_FILE_TOO_LARGE');
  });

  describe('inspections of the root layout run bounded and, where namespaces work, sandboxed', () => {
    const sandbox = probeSandbox();

    it('see a scrubbed environment', () => {
      const chain = makeChain(canonical, { steps: 2, inspection: ['sh', '-c', 'test -z "$CNAB_TRUST_ATTACK_SECRET"'] });
      process.env['CNAB_TRUST_ATTACK_SECRET'] = 'hunter2';
      try {
        const r = verify(chain);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        const checks = r.report.steps.at(-1)!.checks!.join('\n');
        assert.match(checks, sandbox.available ? /inspections ran sandboxed/ : /inspections ran NOT sandboxed/);
      } finally {
        delete process.env['CNAB_TRUST_ATTACK_SECRET'];
      }
    });

    it('cannot write outside their scratch directory', function () {
      if (!sandbox.available) this.skip();
      const outside = path.join(tmp.dir, 'outside');
      const chain = makeChain(canonical, { steps: 2, inspection: ['sh', '-c', `touch ${outside}`] });
      const r = verify(chain);
      assert.equal(existsSync(outside), false);
      assert.equal(r.report.error?.code, 'E_INTOTO_INSPECTION');
    });

    it('cannot reach the network, not even loopback', async function () {
      if (!sandbox.available) this.skip();
      const { createServer } = await import('node:net');
      let connected = false;
      const server = createServer((s) => {
        connected = true;
        s.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      try {
        const probe = `require('net').connect(${port},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(3))`;
        const chain = makeChain(canonical, { steps: 2, inspection: [process.execPath, '-e', probe] });
        const r = await new Promise<CliRun & { report: { error?: { code: string } } }>((resolve) => setImmediate(() => resolve(verify(chain))));
        assert.equal(r.report.error?.code, 'E_INTOTO_INSPECTION', r.stdout);
        assert.equal(connected, false);
      } finally {
        server.close();
      }
    });
  });
});
