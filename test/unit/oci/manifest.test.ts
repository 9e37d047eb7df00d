import assert from 'node:assert/strict';
import { parseChallenges } from '../../../src/adapters/oci/auth-challenge.js';
import { isLoopbackHost } from '../../../src/adapters/oci/registry-transport.js';
import { parseManifest } from '../../../src/core/oci/manifest.js';
import { verifyDigest, digestOf } from '../../../src/core/oci/digest.js';
import { isCnabTrustError } from '../../../src/core/errors.js';

const D = 'sha256:' + 'a'.repeat(64);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isCnabTrustError(e) ? e.code : 'not-typed';
  }
  return undefined;
}

describe('core/oci manifest parsing', () => {
  it('reads a cnab-to-oci config manifest with "layers": null and no mediaType', () => {
    const bytes = Buffer.from(`{"schemaVersion":2,"config":{"mediaType":"application/vnd.cnab.config.v1+json","digest":"${D}","size":3},"layers":null}`);
    const m = parseManifest(bytes, 'm');
    assert.equal(m.kind, 'image');
    assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.deepEqual(m.kind === 'image' ? m.layers : undefined, []);
  });
  it('infers an index without mediaType and keeps annotations', () => {
    const bytes = Buffer.from(`{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${D}","size":3}],"annotations":{"a":"b"}}`);
    const m = parseManifest(bytes, 'i');
    assert.equal(m.kind, 'index');
    assert.deepEqual(m.annotations, { a: 'b' });
  });
  it('refuses an unknown media type', () => {
    const bytes = Buffer.from('{"schemaVersion":2,"mediaType":"application/x-evil","config":{}}');
    assert.equal(code(() => parseManifest(bytes, 'x')), 'E_OCI_MEDIA_TYPE');
  });
  it('refuses a manifest over the size bound', () => {
    assert.equal(code(() => parseManifest(Buffer.alloc(100, 32), 'x', undefined, 10)), 'E_OCI_TOO_LARGE');
  });
  it('refuses a descriptor with a bad digest', () => {
    const bytes = Buffer.from('{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:XYZ","size":3}]}');
    assert.equal(code(() => parseManifest(bytes, 'x')), 'E_DIGEST_INVALID');
  });
  it('verifies digests of bytes', () => {
    const b = Buffer.from('hello');
    verifyDigest(b, digestOf(b), 's');
    assert.equal(code(() => verifyDigest(b, D, 's')), 'E_OCI_DIGEST_MISMATCH');
  });
});

describe('adapters/oci challenges and hosts', () => {
  it('parses Bearer challenges with quoted commas', () => {
    const c = parseChallenges('Bearer realm="http://127.0.0.1:1/token",service="reg",scope="repository:a/b:pull,push"');
    assert.deepEqual(c, [{ scheme: 'bearer', params: { realm: 'http://127.0.0.1:1/token', service: 'reg', scope: 'repository:a/b:pull,push' } }]);
  });
  it('parses several challenges', () => {
    const c = parseChallenges('Basic realm="x", Bearer realm="https://a/t"');
    assert.deepEqual(c.map((x) => x.scheme), ['basic', 'bearer']);
  });
  it('knows loopback hosts', () => {
    assert.ok(isLoopbackHost('localhost:5000'));
    assert.ok(isLoopbackHost('127.3.4.5'));
    assert.ok(isLoopbackHost('[::1]:443'));
    assert.ok(!isLoopbackHost('registry.example'));
    assert.ok(!isLoopbackHost('127.0.0.1.example.com'));
  });
});
