/**
 * Sign what is stored, through the CLI against a real registry (docker-registry): a bundle stored
 * in cnab-go's marshalled form (as Porter and cnab-to-oci push it) is signed with `sign <ref>` and verifies; the same
 * bundle signed as the loose file the publisher holds (other bytes) is refused by `verify <ref>` with a hint that
 * names `sign <ref>`. `digest <ref>` prints the stored blob's digest.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { seedImage, startRegistry, tempDir, writeImageLayout, type RunningRegistry, type TempDir } from '../../helpers/registry.js';
import { runCliAsync, type CliRun } from '../../helpers/cli.js';
import { signBundle } from '../../../src/workflows/tuf/sign.js';
import { CnabTrustError } from '../../../src/core/errors.js';

/** The CLI in the test's directory, without blocking (the registry answers meanwhile). */
const cli = (cwd: string, ...args: string[]): Promise<CliRun> => runCliAsync(args, { cwd });

const sha256 = (b: string | Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('end to end: sign <ref> signs the bundle bytes stored in the registry (docker-registry)', function () {
  this.timeout(180_000);
  let registry: RunningRegistry;
  let tmp: TempDir;
  let gun: string;
  let loose: string;
  let cnabGoForm: string;
  const f = (name: string): string => path.join(tmp.path, name);

  before(async () => {
    registry = await startRegistry();
    tmp = await tempDir('cnab-trust-sign-stored-');
    gun = `${registry.host}/org/app`;
    const installer = await writeImageLayout(f('seed'), 'installer', [{ 'run.sh': `echo ${Math.random()}\n` }]);
    const web = await writeImageLayout(f('seed'), 'web', [{ 'index.html': `<p>${Math.random()}</p>\n` }]);
    await seedImage(f('seed'), 'installer', `${registry.host}/src/installer:1`);
    await seedImage(f('seed'), 'web', `${registry.host}/src/web:1`);
    const inv = `${registry.host}/src/installer:1`;
    const img = `${registry.host}/src/web:1`;
    // The file the publisher holds (as written by hand or a tool), pretty-printed.
    loose = JSON.stringify(
      {
        schemaVersion: 'v1.0.0',
        name: 'stored-app',
        version: '1.0.0',
        keywords: [],
        invocationImages: [{ imageType: 'docker', image: inv, contentDigest: installer.manifest.digest }],
        images: { web: { imageType: 'oci', image: img, contentDigest: web.manifest.digest, labels: {} } },
        actions: { status: { modifies: false, stateless: true } },
        definitions: { ratio: { type: 'number', default: 0.5, exclusiveMaximum: 1, 'x-porter-note': 'dropped by cnab-go' } },
        parameters: { ratio: { definition: 'ratio', destination: { env: 'RATIO' }, required: false } },
        outputs: {},
      },
      null,
      2,
    );
    // The same bundle as cnab-go marshals it (bundle.Bundle.Marshal: encoding/json through the struct tags, then
    // RFC 8785): "description" and images' "description" always written, empty keywords, labels and outputs and
    // false modifies/required dropped (omitempty), the unknown definition keyword dropped (no such struct field).
    cnabGoForm =
      `{"actions":{"status":{"stateless":true}},"definitions":{"ratio":{"default":0.5,"exclusiveMaximum":1,"type":"number"}},"description":"",` +
      `"images":{"web":{"contentDigest":"${web.manifest.digest}","description":"","image":"${img}","imageType":"oci"}},` +
      `"invocationImages":[{"contentDigest":"${installer.manifest.digest}","image":"${inv}","imageType":"docker"}],` +
      `"name":"stored-app","parameters":{"ratio":{"definition":"ratio","destination":{"env":"RATIO"}}},"schemaVersion":"v1.0.0","version":"1.0.0"}`;
    writeFileSync(f('bundle.json'), loose);
    writeFileSync(f('cnab-go-marshalled.json'), cnabGoForm);
    // Stored as Porter / cnab-to-oci store it: the cnab-go bytes are the config blob (they are canonical already).
    for (const tag of ['1.0.0', '1.0.1']) {
      const p = await cli(tmp.path, 'push', 'cnab-go-marshalled.json', `${gun}:${tag}`);
      assert.equal(p.status, 0, p.stderr);
    }
    const init = await cli(tmp.path, 'init', '--gun', gun, '--metadata', 'metadata', '--keys', 'keys');
    assert.equal(init.status, 0, init.stderr);
  });

  after(async () => {
    await registry?.stop();
    await tmp?.cleanup();
  });

  it('digest <ref> prints the digest of the stored blob, not of the loose file', async () => {
    const d = await cli(tmp.path, 'digest', `${gun}:1.0.0`, '--json');
    assert.equal(d.status, 0, d.stderr);
    const report = JSON.parse(d.stdout) as { digest: string; length: number; canonical: boolean; kind: string };
    assert.deepEqual(report, { ...report, digest: sha256(cnabGoForm), length: Buffer.byteLength(cnabGoForm), canonical: true, kind: 'stored' });
    const file = JSON.parse((await cli(tmp.path, 'digest', 'bundle.json', '--json')).stdout) as { digest: string };
    assert.notEqual(file.digest, report.digest);
  });

  it('validate --json warns, before signing, that the loose file would be stored as other bytes, and says where and why', async () => {
    const v = await cli(tmp.path, 'validate', 'bundle.json', '--json');
    assert.equal(v.status, 0, v.stderr);
    const report = JSON.parse(v.stdout) as { cnabGo: { same: boolean; digest: string; changes: Array<{ path: string; change: string; reason: string }> }; warnings: string[] };
    assert.equal(report.cnabGo.same, false);
    assert.equal(report.cnabGo.digest, sha256(cnabGoForm), 'the model predicts the stored bytes exactly');
    const by = new Map(report.cnabGo.changes.map((c) => [c.path, c]));
    for (const [p, change] of [
      ['$.description', 'added'],
      ['$.keywords', 'dropped'],
      ['$.outputs', 'dropped'],
      ['$.images.web.labels', 'dropped'],
      ['$.images.web.description', 'added'],
      ['$.actions.status.modifies', 'dropped'],
      ['$.parameters.ratio.required', 'dropped'],
      ['$.definitions.ratio["x-porter-note"]', 'dropped'],
    ] as const) {
      assert.equal(by.get(p)?.change, change, p);
    }
    assert.match(by.get('$.actions.status.modifies')!.reason, /omitempty/);
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0]!, /Porter or cnab-to-oci.*cnab-trust sign <registry ref> --ref <gun>:<tag>/);
    const human = await cli(tmp.path, 'validate', 'bundle.json');
    assert.match(human.stdout, /\nwarning: pushed with Porter or cnab-to-oci/);
    const same = JSON.parse((await cli(tmp.path, 'validate', 'cnab-go-marshalled.json', '--json')).stdout) as { cnabGo: { same: boolean; changes: unknown[] }; warnings: string[] };
    assert.deepEqual([same.cnabGo.same, same.cnabGo.changes, same.warnings], [true, [], []]);
  });

  it('sign <ref> signs the stored bytes, and verify <ref> passes', async () => {
    const s = await cli(tmp.path, 'sign', `${gun}:1.0.0`, '--ref', `${gun}:1.0.0`, '--json');
    assert.equal(s.status, 0, s.stderr);
    const report = JSON.parse(s.stdout) as { target: { length: number; hashes: { sha256: string } }; stored: { reference: string; canonical: boolean } };
    assert.equal(`sha256:${report.target.hashes.sha256}`, sha256(cnabGoForm));
    assert.equal(report.target.length, Buffer.byteLength(cnabGoForm));
    assert.deepEqual(report.stored, { ...report.stored, reference: `${gun}:1.0.0`, canonical: true });
    const v = await cli(tmp.path, 'verify', `${gun}:1.0.0`, '--trusted-root', 'metadata/1.root.json', '--metadata', 'metadata', '--json');
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.equal((JSON.parse(v.stdout) as { verified: boolean }).verified, true);
  });

  it('sign <ref> still checks every image pin (an unpinned stored bundle is refused), and a missing layout is I/O', async () => {
    // our push refuses unpinned bundles, so the stored bytes are handed to the workflow as the CLI would
    const unpinned = Buffer.from(cnabGoForm.replace(/"contentDigest":"[^"]+",/g, ''));
    await assert.rejects(
      signBundle({ input: `${gun}:unpinned`, stored: { bytes: unpinned, index: sha256('index') }, ref: `${gun}:unpinned`, metadataDir: f('metadata'), keysDir: f('keys') }),
      (e: unknown) => e instanceof CnabTrustError && e.code === 'E_IMAGE_UNPINNED',
    );
    const missing = await cli(tmp.path, 'sign', 'oci:nowhere:1.0.0', '--ref', `${gun}:x`);
    assert.equal(missing.status, 3, missing.stderr);
    assert.match(missing.stderr, /^error\[E_FILE_NOT_FOUND\]/);
  });

  it('the loose file signed instead: verify <ref> refuses it with a hint naming sign <ref>', async () => {
    const s = await cli(tmp.path, 'sign', 'bundle.json', '--ref', `${gun}:1.0.1`, '--json');
    assert.equal(s.status, 0, s.stderr);
    // sign says so too, as it signs
    const warnings = (JSON.parse(s.stdout) as { warnings: string[] }).warnings;
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /stored as cnab-go marshals it \(sha256:[0-9a-f]{64}\).*cnab-trust sign <registry ref>/);
    const v = await cli(tmp.path, 'verify', `${gun}:1.0.1`, '--trusted-root', 'metadata/1.root.json', '--metadata', 'metadata', '--json');
    assert.equal(v.status, 1, v.stdout + v.stderr);
    const error = (JSON.parse(v.stdout) as { error: { code: string; hint: string; message: string } }).error;
    assert.ok(['E_LENGTH_MISMATCH', 'E_DIGEST_MISMATCH'].includes(error.code), error.code);
    assert.match(error.message, /the registry stores other bytes than were signed/);
    assert.ok(error.hint.includes(`cnab-trust sign ${gun}:1.0.1 --ref ${gun}:1.0.1`), error.hint);
    assert.match(error.hint, /^do not install it/);
    // the human output carries the hint too
    const human = await cli(tmp.path, 'verify', `${gun}:1.0.1`, '--trusted-root', 'metadata/1.root.json', '--metadata', 'metadata');
    assert.equal(human.status, 1);
    assert.ok((human.stdout + human.stderr).includes(`cnab-trust sign ${gun}:1.0.1`), human.stdout + human.stderr);
  });

  it('the loose file verified against the stored bundle signed with sign <ref>: refused, the hint says the signed bytes are its cnab-go form', async () => {
    const v = await cli(tmp.path, 'verify', 'bundle.json', '--target', `${gun}:1.0.0`, '--trusted-root', 'metadata/1.root.json', '--metadata', 'metadata', '--json');
    assert.equal(v.status, 1, v.stdout + v.stderr);
    const error = (JSON.parse(v.stdout) as { error: { code: string; hint: string; message: string } }).error;
    assert.ok(['E_LENGTH_MISMATCH', 'E_DIGEST_MISMATCH'].includes(error.code), error.code);
    assert.match(error.message, /the signed bundle is this file as cnab-go marshals it/);
    assert.match(error.hint, /verify that registry reference/);
  });
});
