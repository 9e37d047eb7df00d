import assert from 'node:assert/strict';
import { errorOf } from '../../helpers/errors.js';
import { formatImageLocation, isOciLayoutLocation, parseImageLocation } from '../../../src/core/reference/location.js';
import { digestFromBytes, isDigest, parseDigest } from '../../../src/core/reference/digest.js';
import { createHash } from 'node:crypto';

const H64 = 'cca460afa270d4c527981ef9ca4989346c56cf9b20217dcea37df1ece8120687';


describe('core/reference: image locations (registry or oci: layout)', () => {
  it('parses oci:<dir>[:tag] and oci:<dir>@digest', () => {
    assert.deepEqual(parseImageLocation('oci:./out/layout:1.0'), { kind: 'oci-layout', path: './out/layout', tag: '1.0', digest: undefined, text: 'oci:./out/layout:1.0' });
    assert.deepEqual(parseImageLocation('oci:/abs/dir'), { kind: 'oci-layout', path: '/abs/dir', tag: undefined, digest: undefined, text: 'oci:/abs/dir' });
    const d = parseImageLocation(`oci:/abs/d@ir@sha256:${H64}`);
    assert.equal(d.kind, 'oci-layout');
    if (d.kind === 'oci-layout') {
      assert.equal(d.path, '/abs/d@ir');
      assert.equal(d.digest, `sha256:${H64}`);
    }
    assert.equal(formatImageLocation(d), `oci:/abs/d@ir@sha256:${H64}`);
    assert.ok(isOciLayoutLocation('oci:x'));
    assert.ok(!isOciLayoutLocation('docker.io/x'));
  });

  it('parses registry references with or without docker://', () => {
    const a = parseImageLocation('docker://localhost:5000/x:1');
    assert.equal(a.kind, 'registry');
    if (a.kind === 'registry') assert.equal(a.reference.toString(), 'localhost:5000/x:1');
    const b = parseImageLocation('ubuntu');
    assert.equal(formatImageLocation(b), 'docker.io/library/ubuntu:latest');
    const c = parseImageLocation('docker://oci:5000/x');
    assert.equal(c.kind, 'registry'); // docker:// wins over the oci: layout prefix
    if (c.kind === 'registry') assert.equal(c.reference.registry, 'oci:5000');
  });

  it('refuses bad layout references with a code', () => {
    assert.equal(errorOf(() => parseImageLocation('oci:')).code, 'E_REFERENCE_INVALID');
    assert.equal(errorOf(() => parseImageLocation('oci::tag')).code, 'E_REFERENCE_INVALID');
    assert.equal(errorOf(() => parseImageLocation('oci:dir:bad tag')).code, 'E_REFERENCE_INVALID');
    assert.equal(errorOf(() => parseImageLocation('oci:dir@sha256:abc')).code, 'E_DIGEST_INVALID');
    assert.equal(errorOf(() => parseImageLocation(`oci:dir:t@sha256:${H64}`)).code, 'E_REFERENCE_INVALID');
    assert.equal(errorOf(() => parseImageLocation('oci:dir\u0000x')).code, 'E_REFERENCE_INVALID');
    assert.equal(errorOf(() => parseImageLocation('docker://Bad!')).code, 'E_REFERENCE_INVALID');
  });
});

describe('core/reference: digests', () => {
  it('parses sha256, sha384 and sha512 with exact lowercase hex', () => {
    const d = parseDigest(`sha256:${H64}`);
    assert.equal(d.algorithm, 'sha256');
    assert.equal(d.hex, H64);
    assert.equal(String(d), `sha256:${H64}`);
    assert.ok(isDigest(`sha512:${H64}${H64}`));
    assert.ok(isDigest(`sha384:${H64}${H64.slice(0, 32)}`));
  });

  it('refuses bad digests naming what is wrong', () => {
    const cases: Array<[string, string]> = [
      ['sha256', 'missing'],
      [':abc', 'missing'],
      [`SHA256:${H64}`, 'malformed algorithm'],
      [`sha1:${H64.slice(0, 40)}`, 'unsupported algorithm "sha1"'],
      [`sha256:${H64.slice(2)}`, 'needs 64 hex digits, got 62'],
      [`sha256:${H64.slice(1)}G`, 'illegal character "G" at position 71'],
      [`sha256:${H64.slice(1)}A`, 'uppercase'],
    ];
    for (const [input, fragment] of cases) {
      const e = errorOf(() => parseDigest(input, { subject: 'images.web' }));
      assert.equal(e.code, 'E_DIGEST_INVALID');
      assert.ok(e.message.includes(fragment), `${e.message} lacks ${fragment}`);
      assert.equal(e.subject, 'images.web');
    }
    assert.ok(!isDigest(42));
  });

  it('builds a digest from hash bytes', () => {
    const bytes = createHash('sha256').update('x').digest();
    assert.equal(digestFromBytes('sha256', bytes), `sha256:${createHash('sha256').update('x').digest('hex')}`);
  });
});
