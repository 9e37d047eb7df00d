/**
 * Contradictory image pins: an image written `inst@sha256:B` with `contentDigest: sha256:A`.
 * A runtime pulling the reference runs B while every signed check looks at A. `validate`, `push`, `sign` and
 * `verify` refuse it with E_IMAGE_PIN_CONFLICT (the rule lives in core/cnab/image-pins.ts, run by parseBundle).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertOneLineError, runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/fixtures.js';
import { TufTestRepo } from '../helpers/tuf-repo.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

/** The relocation fixture bundle, its invocation image pinned by reference to `inReference` and by contentDigest to A. */
function writeBundle(dir: string, inReference: string): string {
  const bundle = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/relocation/bundle.json'), 'utf8'));
  bundle.invocationImages[0].image = `example.com/org/installer@${inReference}`;
  bundle.invocationImages[0].contentDigest = A;
  const file = path.join(dir, 'bundle.json');
  writeFileSync(file, JSON.stringify(bundle));
  return file;
}

describe('attacks: contradictory image pins (reference digest vs contentDigest)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-attack-pins-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('validate refuses it; the same bundle with agreeing pins validates', () => {
    assertOneLineError(runCli('validate', writeBundle(dir, B)), 'E_IMAGE_PIN_CONFLICT', 1, B, A);
    assert.equal(runCli('validate', writeBundle(dir, A)).status, 0);
  });

  it('push refuses it before anything is written', () => {
    const layout = path.join(dir, 'layout');
    assertOneLineError(runCli('push', writeBundle(dir, B), `oci:${layout}:1.0.0`), 'E_IMAGE_PIN_CONFLICT', 1);
  });

  it('sign refuses it', () => {
    const metadata = path.join(dir, 'metadata');
    const keys = path.join(dir, 'keys');
    const gun = 'example.com/org/app';
    assert.equal(runCli('init', '--gun', gun, '--metadata', metadata, '--keys', keys).status, 0);
    assertOneLineError(runCli('sign', writeBundle(dir, B), '--ref', `${gun}:1.0.0`, '--metadata', metadata, '--keys', keys), 'E_IMAGE_PIN_CONFLICT', 1);
  });

  it('verify refuses it even when the releases key signed it', () => {
    const bundle = writeBundle(dir, B);
    const repo = new TufTestRepo(path.join(dir, 'repo'));
    repo.addTarget(`${repo.gun}:1.0.0`, readFileSync(bundle));
    repo.publish();
    writeFileSync(path.join(dir, 'root.json'), repo.trustedRoot());
    const r = runCli('verify', bundle, '--target', `${repo.gun}:1.0.0`, '--trusted-root', path.join(dir, 'root.json'), '--metadata', repo.dir);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.match(r.stdout + r.stderr, /E_IMAGE_PIN_CONFLICT/);
    assert.doesNotMatch(r.stdout, /pinned to sha256:a/);
  });
});
