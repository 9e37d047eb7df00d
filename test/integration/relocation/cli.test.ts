/** `cnab-trust relocation check` through the real CLI (node dist/src/cli/main.js). */
import assert from 'node:assert/strict';
import path from 'node:path';
import { repoRoot } from '../../helpers/fixtures.js';
import { cnabSpecDir } from '../../helpers/paths.js';
import { runCli as run, assertOneLineError } from '../../helpers/cli.js';

const fixtures = path.join(repoRoot, 'test/fixtures/relocation');
const examples = path.join(cnabSpecDir, 'examples');

function fx(name: string): string {
  return path.join(fixtures, name);
}

describe('cli: relocation check', () => {
  it('passes a covering mapping and lists what remains to resolve live', () => {
    const r = run('relocation', 'check', fx('bundle.json'), fx('mapping.json'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ok +invocation image 0 +example\.com\/org\/installer:1\.0\.0 -> mirror\.local:5000\/org\/installer@sha256:a{64}/);
    assert.match(r.stdout, /resolve +component "web" +nginx:1\.25 -> mirror\.local:5000\/org\/nginx:1\.25 \(must resolve to sha256:b{64}\)/);
    assert.match(r.stdout, /verdict: the mapping covers all 2 image\(s\); 1 pinned .*; 1 to resolve live/);
  });

  it('--json prints the per-image report', () => {
    const r = run('relocation', 'check', fx('bundle.json'), fx('mapping.json'), '--json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { ok: boolean; toResolve: number; images: Array<{ status: string; expectedDigest: string; component?: string }> };
    assert.equal(report.ok, true);
    assert.equal(report.toResolve, 1);
    assert.deepEqual(report.images.map((i) => i.status), ['pinned', 'resolve']);
    assert.equal(report.images[1]!.component, 'web');
  });

  it('refuses a non-object mapping: E_RELOCATION_INVALID, exit 1', () => {
    assertOneLineError(run('relocation', 'check', fx('bundle.json'), fx('mapping-array.json')), 'E_RELOCATION_INVALID', 1, 'must be a JSON object of strings, got an array');
  });

  it('refuses a mapping missing an image: E_RELOCATION_MISSING, exit 1, naming it', () => {
    assertOneLineError(
      run('relocation', 'check', fx('bundle.json'), fx('mapping-missing.json')),
      'E_RELOCATION_MISSING',
      1,
      'invocation image 0 "example.com/org/installer:1.0.0"',
      'component "web" "nginx:1.25"',
    );
  });

  it('refuses a relocated reference with illegal characters: E_REFERENCE_INVALID, exit 1', () => {
    assertOneLineError(run('relocation', 'check', fx('bundle.json'), fx('mapping-illegal.json')), 'E_REFERENCE_INVALID', 1, 'illegal character " " at position 25');
  });

  it('refuses a bundle image reference with illegal characters: E_REFERENCE_INVALID, exit 1', () => {
    assertOneLineError(run('relocation', 'check', fx('bundle-illegal-image.json'), fx('mapping.json')), 'E_REFERENCE_INVALID', 1, 'illegal character "$" at position 21');
  });

  it('refuses a pinned relocated digest that differs from contentDigest: E_RELOCATED_DIGEST_MISMATCH, exit 1', () => {
    const r = run('relocation', 'check', fx('bundle.json'), fx('mapping-mismatch.json'));
    assertOneLineError(r, 'E_RELOCATED_DIGEST_MISMATCH', 1, 'invocation image 0', `sha256:${'a'.repeat(64)}`, `sha256:${'c'.repeat(64)}`, 'example.com/org/installer:1.0.0');
  });

  it('--json carries the error code and details', () => {
    const r = run('relocation', 'check', fx('bundle.json'), fx('mapping-missing.json'), '--json');
    assert.equal(r.status, 1);
    const out = JSON.parse(r.stdout) as { error: { code: string; details: { missing: unknown[] } } };
    assert.equal(out.error.code, 'E_RELOCATION_MISSING');
    assert.equal(out.error.details.missing.length, 2);
  });

  it('checks the CNAB 103 example mapping against the CNAB 101 example bundle (neither image is a key)', () => {
    assertOneLineError(
      run('relocation', 'check', path.join(examples, '101.01-bundle.json'), path.join(examples, '103.01-relocation-mapping.json')),
      'E_RELOCATION_MISSING',
      1,
      'example/helloworld:0.1.0',
      'example/microservice:1.2.3',
    );
  });

  it('a missing file is an I/O error: exit 3', () => {
    const r = run('relocation', 'check', fx('bundle.json'), fx('no-such-mapping.json'));
    assertOneLineError(r, 'E_FILE_NOT_FOUND', 3);
  });

  it('a missing argument is a usage error: exit 2', () => {
    const r = run('relocation', 'check', fx('bundle.json'));
    assert.equal(r.status, 2, r.stderr);
  });
});
