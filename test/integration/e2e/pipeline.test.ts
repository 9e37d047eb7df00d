/**
 * The CI job: `cnab-trust pipeline` (sign -> push -> verify from the registry with a fresh cache -> report) against a
 * real docker-registry, and the GitHub Action entry point run as the runner runs it (INPUT_* variables,
 * $GITHUB_OUTPUT file, exit status, ::error:: annotation).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { canonicalizeBundleBytes } from '../../../src/core/cnab/canonical.js';
import { makeChain } from '../../helpers/intoto-chain.js';
import path from 'node:path';
import { initRepository } from '../../../src/workflows/tuf/init.js';
import { seedImage, startRegistry, tempDir, writeImageLayout, type RunningRegistry, type TempDir, type TestImage } from '../../helpers/registry.js';
import { cliMain, repoRoot } from '../../helpers/paths.js';
import { runNode as exec } from '../../helpers/cli.js';

const actionMain = path.join(repoRoot, 'dist/src/action/main.js');

describe('pipeline and the GitHub Action: sign -> push -> verify from the registry (docker-registry)', function () {
  this.timeout(180_000);
  let registry: RunningRegistry;
  let tmp: TempDir;
  let gun: string;
  let image: TestImage;
  const f = (...name: string[]): string => path.join(tmp.path, ...name);

  before(async () => {
    registry = await startRegistry();
    tmp = await tempDir('cnab-trust-pipeline-');
    gun = `${registry.host}/org/app`;
    image = await writeImageLayout(f('seed'), 'installer', [{ 'install.sh': `echo ${Math.random()}\n` }]);
    await seedImage(f('seed'), 'installer', `${registry.host}/src/installer:1`);
    const bundle = (version: string, digest = image.manifest.digest) =>
      JSON.stringify({
        schemaVersion: 'v1.0.0',
        name: 'app',
        version,
        invocationImages: [{ imageType: 'oci', image: `${registry.host}/src/installer:1`, contentDigest: digest, mediaType: image.manifest.mediaType, size: image.manifest.size }],
      });
    writeFileSync(f('bundle-1.json'), bundle('1.0.0'));
    writeFileSync(f('bundle-2.json'), bundle('1.0.1'));
    writeFileSync(f('bundle-bad.json'), bundle('1.0.2', `sha256:${'0'.repeat(64)}`));
    await initRepository({ gun, metadataDir: f('metadata'), keysDir: f('keys') });
    await initRepository({ gun, metadataDir: f('other-metadata'), keysDir: f('other-keys') });
  });
  after(async () => {
    await registry?.stop();
    await tmp?.cleanup();
  });

  it('cnab-trust pipeline signs, pushes, verifies from the registry, writes the report, exits 0', async () => {
    const r = exec([cliMain, 'pipeline', '--bundle', f('bundle-1.json'), '--ref', `${gun}:1.0.0`, '--metadata', f('metadata'), '--keys', f('keys'), '--report', f('report-1.json')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^signed {3}.* in targets\/releases/m);
    assert.match(r.stdout, /^VERIFIED: /m);
    const report = JSON.parse(readFileSync(f('report-1.json'), 'utf8'));
    assert.equal(report.ok, true);
    assert.equal(report.push.reference, `${gun}:1.0.0`);
    assert.equal(report.verify.verified, true);
    assert.equal(report.verify.target.name, `${gun}:1.0.0`);
    assert.deepEqual(report.verify.steps.map((s: { name: string }) => s.name), ['tuf', 'bundle', 'images', 'relocation', 'in-toto']);
  });

  it('fails (exit 1, report ok: false) when the verification does not trust what was signed', async () => {
    const r = exec([
      cliMain,
      'pipeline',
      '--bundle',
      f('bundle-2.json'),
      '--ref',
      `${gun}:1.0.1`,
      '--metadata',
      f('metadata'),
      '--keys',
      f('keys'),
      '--trusted-root',
      f('other-metadata/1.root.json'),
      '--report',
      f('report-2.json'),
    ]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const report = JSON.parse(readFileSync(f('report-2.json'), 'utf8'));
    assert.equal(report.ok, false);
    assert.equal(report.verify.verified, false);
    assert.match(report.error.code, /^E_TUF_/);
  });

  it('a layout without the offline targets key: staged, nothing published or pushed, E_TUF_STAGED in the report, exit 1', async () => {
    await initRepository({ gun, metadataDir: f('staged-metadata'), keysDir: f('staged-keys') });
    const root = JSON.parse(readFileSync(f('staged-metadata/1.root.json'), 'utf8'));
    rmSync(f(`staged-keys/${root.signed.roles.targets.keyids[0]}.key`));
    // a supply chain that verifies with this bundle as final product (sign checks it before staging)
    const chain = makeChain(canonicalizeBundleBytes(readFileSync(f('bundle-1.json'))).bytes);
    writeFileSync(f('owner.pub'), chain.ownerKey.publicFile);
    writeFileSync(f('root.layout'), chain.layout);
    mkdirSync(f('staged-links'));
    for (const [name, bytes] of chain.links) writeFileSync(f('staged-links', name), bytes);
    const r = exec([
      cliMain, 'pipeline', '--bundle', f('bundle-1.json'), '--ref', `${gun}:1.0.9`, '--metadata', f('staged-metadata'), '--keys', f('staged-keys'),
      '--layout', f('root.layout'), '--layout-keys', f('owner.pub'), '--links', f('staged-links'), '--report', f('report-staged.json'),
    ]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const report = JSON.parse(readFileSync(f('report-staged.json'), 'utf8'));
    assert.equal(report.ok, false);
    assert.equal(report.error.code, 'E_TUF_STAGED');
    assert.equal(report.push, null);
    assert.equal(report.verify, null);
  });

  describe('the GitHub Action entry point (dist/src/action/main.js) with INPUT_* variables', () => {
    const actionEnv = (inputs: Record<string, string>, output: string): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], GITHUB_OUTPUT: output };
      // the runner: INPUT_ + name upper-cased, spaces to underscores, hyphens kept
      for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
      return env;
    };

    it('verifies and writes verified=true, the digest and the report path to $GITHUB_OUTPUT', async () => {
      writeFileSync(f('out-1.txt'), '');
      const r = exec(
        [actionMain],
        actionEnv(
          { bundle: f('bundle-2.json'), ref: `${gun}:1.0.1`, 'push-to': `${registry.host}/mirror/app:1.0.1`, metadata: f('metadata'), keys: f('keys'), report: f('action-report.json') },
          f('out-1.txt'),
        ),
      );
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const outputs = Object.fromEntries(
        readFileSync(f('out-1.txt'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      assert.equal(outputs['verified'], 'true');
      assert.match(outputs['digest']!, /^sha256:[0-9a-f]{64}$/);
      assert.equal(outputs['report'], f('action-report.json'));
      assert.equal(JSON.parse(readFileSync(f('action-report.json'), 'utf8')).pushedTo, `${registry.host}/mirror/app:1.0.1`);
    });

    it('fails the step with an ::error:: annotation when the push finds other image content', async () => {
      writeFileSync(f('out-2.txt'), '');
      const r = exec([actionMain], actionEnv({ bundle: f('bundle-bad.json'), ref: `${gun}:1.0.2`, metadata: f('metadata'), keys: f('keys'), report: f('bad.json') }, f('out-2.txt')));
      assert.equal(r.status, 1);
      assert.match(r.stdout, /^::error title=cnab-trust pipeline::E_OCI_/m);
      assert.match(readFileSync(f('out-2.txt'), 'utf8'), /^verified=false$/m);
    });

    it('fails the step when a required input is missing', async () => {
      const r = exec([actionMain], actionEnv({ ref: `${gun}:1.0.3` }, f('out-3.txt')));
      assert.equal(r.status, 1);
      assert.match(r.stdout, /::error title=cnab-trust pipeline::E_USAGE: input required and not supplied: bundle/);
    });
  });
});
