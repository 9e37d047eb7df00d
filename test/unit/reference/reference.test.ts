import assert from 'node:assert/strict';
import { CnabTrustError } from '../../../src/core/errors.js';
import { errorOf } from '../../helpers/errors.js';
import {
  parseReference,
  referencesEquivalent,
  normalizeReference,
  tryParseReference,
} from '../../../src/core/reference/reference.js';

const H64 = 'cca460afa270d4c527981ef9ca4989346c56cf9b20217dcea37df1ece8120687';
const H128 = H64 + H64;
const H96 = H64 + H64.slice(0, 32);

function code(fn: () => unknown): string {
  return errorOf(fn).code;
}

describe('core/reference: parse and normalize (distribution/reference grammar)', () => {
  // input, registry, repository, tag, digest, normalized, familiar
  const valid: Array<[string, string, string, string | undefined, string | undefined, string, string]> = [
    ['ubuntu', 'docker.io', 'library/ubuntu', undefined, undefined, 'docker.io/library/ubuntu:latest', 'ubuntu'],
    ['ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04', undefined, 'docker.io/library/ubuntu:22.04', 'ubuntu:22.04'],
    ['library/ubuntu', 'docker.io', 'library/ubuntu', undefined, undefined, 'docker.io/library/ubuntu:latest', 'ubuntu'],
    ['docker.io/ubuntu', 'docker.io', 'library/ubuntu', undefined, undefined, 'docker.io/library/ubuntu:latest', 'ubuntu'],
    ['index.docker.io/library/ubuntu', 'docker.io', 'library/ubuntu', undefined, undefined, 'docker.io/library/ubuntu:latest', 'ubuntu'],
    ['example/microservice:1.2.3', 'docker.io', 'example/microservice', '1.2.3', undefined, 'docker.io/example/microservice:1.2.3', 'example/microservice:1.2.3'],
    ['localhost/foo', 'localhost', 'foo', undefined, undefined, 'localhost/foo:latest', 'localhost/foo'],
    ['localhost:5000/a/b/c:v1', 'localhost:5000', 'a/b/c', 'v1', undefined, 'localhost:5000/a/b/c:v1', 'localhost:5000/a/b/c:v1'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000', 'x', undefined, undefined, '127.0.0.1:5000/x:latest', '127.0.0.1:5000/x'],
    ['[::1]:5000/x:t', '[::1]:5000', 'x', 't', undefined, '[::1]:5000/x:t', '[::1]:5000/x:t'],
    ['[2001:db8::1]/x', '[2001:db8::1]', 'x', undefined, undefined, '[2001:db8::1]/x:latest', '[2001:db8::1]/x'],
    ['myhost:5000/x', 'myhost:5000', 'x', undefined, undefined, 'myhost:5000/x:latest', 'myhost:5000/x'],
    ['Example.COM/x', 'Example.COM', 'x', undefined, undefined, 'Example.COM/x:latest', 'Example.COM/x'],
    ['Foo/bar', 'Foo', 'bar', undefined, undefined, 'Foo/bar:latest', 'Foo/bar'],
    ['foo:5000', 'docker.io', 'library/foo', '5000', undefined, 'docker.io/library/foo:5000', 'foo:5000'],
    ['example.com:5000', 'docker.io', 'library/example.com', '5000', undefined, 'docker.io/library/example.com:5000', 'example.com:5000'],
    ['a.b/c__d/e-----f/g_h.i:TAG_x.y-z', 'a.b', 'c__d/e-----f/g_h.i', 'TAG_x.y-z', undefined, 'a.b/c__d/e-----f/g_h.i:TAG_x.y-z', 'a.b/c__d/e-----f/g_h.i:TAG_x.y-z'],
    [`example/microservice@sha256:${H64}`, 'docker.io', 'example/microservice', undefined, `sha256:${H64}`, `docker.io/example/microservice@sha256:${H64}`, `example/microservice@sha256:${H64}`],
    [`my.registry/x:1.0@sha256:${H64}`, 'my.registry', 'x', '1.0', `sha256:${H64}`, `my.registry/x:1.0@sha256:${H64}`, `my.registry/x:1.0@sha256:${H64}`],
    [`ubuntu@sha512:${H128}`, 'docker.io', 'library/ubuntu', undefined, `sha512:${H128}`, `docker.io/library/ubuntu@sha512:${H128}`, `ubuntu@sha512:${H128}`],
    [`ubuntu@sha384:${H96}`, 'docker.io', 'library/ubuntu', undefined, `sha384:${H96}`, `docker.io/library/ubuntu@sha384:${H96}`, `ubuntu@sha384:${H96}`],
    ['x:' + 'a'.repeat(128), 'docker.io', 'library/x', 'a'.repeat(128), undefined, 'docker.io/library/x:' + 'a'.repeat(128), 'x:' + 'a'.repeat(128)],
    ['docker.io/library/a/b', 'docker.io', 'library/a/b', undefined, undefined, 'docker.io/library/a/b:latest', 'library/a/b'],
  ];
  for (const [input, registry, repository, tag, digest, normalized, familiar] of valid) {
    it(`accepts ${input.length > 60 ? input.slice(0, 60) + '…' : input}`, () => {
      const r = parseReference(input);
      assert.equal(r.registry, registry);
      assert.equal(r.repository, repository);
      assert.equal(r.tag, tag);
      assert.equal(r.digest, digest);
      assert.equal(r.toString(), normalized);
      assert.equal(r.familiar(), familiar);
      assert.equal(r.repositoryName, `${registry}/${repository}`);
      // normalizing is idempotent
      assert.equal(parseReference(r.toString()).toString(), normalized);
    });
  }

  // input, code, a fragment the message must contain
  const invalid: Array<[string, string, string]> = [
    ['', 'E_REFERENCE_INVALID', 'empty'],
    ['ubuntu!', 'E_REFERENCE_INVALID', 'illegal character "!" at position 7'],
    ['my registry/x', 'E_REFERENCE_INVALID', 'illegal character " " at position 3'],
    ['ubuntu:la test', 'E_REFERENCE_INVALID', 'position 10'],
    ['ubuntu\n', 'E_REFERENCE_INVALID', 'illegal character "\\n" at position 7'],
    ['ubüntu', 'E_REFERENCE_INVALID', 'position 3'],
    ['example.com/Upper/x', 'E_REFERENCE_INVALID', 'must be lowercase ("U" at position 13)'],
    ['docker.io/Ubuntu', 'E_REFERENCE_INVALID', 'must be lowercase ("U" at position 11)'],
    ['Ubuntu', 'E_REFERENCE_INVALID', 'must be lowercase ("U" at position 1)'],
    ['org/Ubuntu', 'E_REFERENCE_INVALID', 'must be lowercase ("U" at position 5)'],
    ['ubuntu:', 'E_REFERENCE_INVALID', 'empty tag'],
    ['ubuntu:-x', 'E_REFERENCE_INVALID', 'at position 8'],
    ['ubuntu:.x', 'E_REFERENCE_INVALID', 'does not match'],
    ['ubuntu:a:b', 'E_REFERENCE_INVALID', 'does not match'],
    ['x:' + 'a'.repeat(129), 'E_REFERENCE_INVALID', 'at most 128'],
    ['a//b', 'E_REFERENCE_INVALID', 'empty path component'],
    ['a/b/', 'E_REFERENCE_INVALID', 'empty path component'],
    ['/a', 'E_REFERENCE_INVALID', 'empty path component'],
    ['x/a..b/c', 'E_REFERENCE_INVALID', 'path component "a..b" (position 3)'],
    ['a..b/c', 'E_REFERENCE_INVALID', 'registry "a..b" is not a valid host'],
    ['a___b', 'E_REFERENCE_INVALID', 'path component'],
    ['-a', 'E_REFERENCE_INVALID', 'path component'],
    ['a-', 'E_REFERENCE_INVALID', 'path component'],
    ['host.com:port/x', 'E_REFERENCE_INVALID', 'not a valid host'],
    ['-bad.host/x', 'E_REFERENCE_INVALID', 'not a valid host'],
    ['bad_host.com/x', 'E_REFERENCE_INVALID', 'not a valid host'],
    ['[::1/x', 'E_REFERENCE_INVALID', 'not a valid host'],
    ['localhost:/x', 'E_REFERENCE_INVALID', 'not a valid host'],
    ['example.com/', 'E_REFERENCE_INVALID', 'missing repository'],
    [':tag', 'E_REFERENCE_INVALID', 'missing repository'],
    [H64, 'E_REFERENCE_INVALID', 'image ID'],
    ['x/' + 'a'.repeat(254), 'E_REFERENCE_INVALID', 'at most 255'],
    ['a'.repeat(1025), 'E_REFERENCE_INVALID', 'longer than 1024'],
    [`x@sha256:${H64}@sha256:${H64}`, 'E_REFERENCE_INVALID', 'second "@"'],
    [`ubuntu@sha256:${H64.slice(1)}`, 'E_DIGEST_INVALID', 'sha256 needs 64 hex digits, got 63'],
    [`ubuntu@sha256:${H64}0`, 'E_DIGEST_INVALID', 'got 65'],
    [`ubuntu@sha256:${H64.toUpperCase()}`, 'E_DIGEST_INVALID', 'uppercase'],
    [`ubuntu@sha512:${H64}`, 'E_DIGEST_INVALID', 'sha512 needs 128'],
    [`ubuntu@md5:${H64}`, 'E_DIGEST_INVALID', 'unsupported algorithm "md5"'],
    ['ubuntu@sha256:', 'E_DIGEST_INVALID', 'got 0'],
    ['ubuntu@', 'E_DIGEST_INVALID', 'missing'],
    ['ubuntu@sha256:aaaaaaaaaaaa...', 'E_DIGEST_INVALID', 'not a hex digit'],
  ];
  for (const [input, want, fragment] of invalid) {
    it(`refuses ${JSON.stringify(input.length > 60 ? input.slice(0, 60) + '…' : input)} with ${want}`, () => {
      try {
        parseReference(input, { subject: 'images.web' });
        assert.fail('expected an error');
      } catch (e) {
        assert.ok(e instanceof CnabTrustError, String(e));
        assert.equal(e.code, want);
        assert.ok(e.message.includes(fragment), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(fragment)}`);
        assert.equal(e.subject, 'images.web');
        assert.ok(!e.message.includes('\n'), 'one line');
      }
    });
  }

  it('names the reference in the message and puts the position in details', () => {
    try {
      parseReference('reg.example/app$:1');
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof CnabTrustError);
      assert.equal(e.subject, 'reg.example/app$:1');
      assert.ok(e.message.includes('"reg.example/app$:1"'));
      assert.equal(e.details?.['position'], 16);
    }
  });
});

describe('core/reference: equivalence', () => {
  it('treats ubuntu, library/ubuntu and docker.io/library/ubuntu:latest as one image', () => {
    const forms = ['ubuntu', 'ubuntu:latest', 'library/ubuntu', 'docker.io/ubuntu', 'docker.io/library/ubuntu:latest', 'index.docker.io/library/ubuntu'];
    for (const a of forms) for (const b of forms) assert.ok(referencesEquivalent(a, b), `${a} ~ ${b}`);
    assert.equal(normalizeReference('library/ubuntu'), 'docker.io/library/ubuntu:latest');
  });

  it('tells different tags, repositories and registries apart', () => {
    assert.ok(!referencesEquivalent('ubuntu', 'ubuntu:22.04'));
    assert.ok(!referencesEquivalent('ubuntu', 'debian'));
    assert.ok(!referencesEquivalent('ubuntu', 'ghcr.io/library/ubuntu'));
    assert.ok(!referencesEquivalent('localhost/x', 'localhost:5000/x'));
  });

  it('compares pinned references by digest (the tag does not decide what is pulled)', () => {
    assert.ok(referencesEquivalent(`ubuntu:22.04@sha256:${H64}`, `docker.io/library/ubuntu@sha256:${H64}`));
    assert.ok(!referencesEquivalent(`ubuntu@sha256:${H64}`, `ubuntu@sha256:${'0'.repeat(64)}`));
    assert.ok(!referencesEquivalent(`ubuntu@sha256:${H64}`, 'ubuntu'));
  });
});

describe('core/reference: derived references', () => {
  it('withDigest pins and keeps the tag; withTag retags', () => {
    const r = parseReference('reg.example/org/app:1.2');
    assert.equal(r.withDigest(`sha256:${H64}`).toString(), `reg.example/org/app:1.2@sha256:${H64}`);
    assert.equal(r.withDigest(`sha256:${H64}`).dockerForm(), `reg.example/org/app@sha256:${H64}`);
    assert.equal(code(() => r.withDigest('sha256:abc')), 'E_DIGEST_INVALID');
    assert.equal(r.withTag('2.0').toString(), 'reg.example/org/app:2.0');
    assert.equal(code(() => r.withTag('bad tag')), 'E_REFERENCE_INVALID');
  });

  it('inRepository moves an image keeping tag and digest', () => {
    const r = parseReference(`example/helloworld:0.1.0@sha256:${H64}`);
    assert.equal(r.inRepository('mirror.local:5000/org/hello').toString(), `mirror.local:5000/org/hello:0.1.0@sha256:${H64}`);
    assert.equal(code(() => r.inRepository('mirror.local/x:1')), 'E_REFERENCE_INVALID');
  });

  it('tagOrDigest is what a manifest request asks for', () => {
    assert.equal(parseReference('x').tagOrDigest, 'latest');
    assert.equal(parseReference('x:1').tagOrDigest, '1');
    assert.equal(parseReference(`x:1@sha256:${H64}`).tagOrDigest, `sha256:${H64}`);
  });

  it('serializes to its normalized string', () => {
    assert.equal(JSON.stringify({ r: parseReference('ubuntu') }), '{"r":"docker.io/library/ubuntu:latest"}');
    assert.equal(tryParseReference('BAD!'), undefined);
  });
});

describe('core/reference: agrees with distribution/reference ParseNormalizedNamed on its own test inputs', () => {
  const accepted = [
    'docker/docker', 'library/debian', 'debian', 'docker.io/docker/docker', 'docker.io/library/debian', 'docker.io/debian',
    'index.docker.io/docker/docker', 'index.docker.io/library/debian', 'index.docker.io/debian', '127.0.0.1:5000/docker/docker',
    '127.0.0.1:5000/library/debian', '127.0.0.1:5000/debian', '192.168.0.1', '192.168.0.1:80', '192.168.0.1:8/debian',
    '192.168.0.2:25000/debian', 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', '[fc00::1]:5000/docker',
    '[fc00::1]:5000/docker/docker', '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', 'Docker/docker', 'DOCKER/docker',
    'docker-rules/docker', 'docker---rules/docker', 'doc/docker', 'd/docker', 'jess/t', 'dock__er/docker', 'test_com/foo',
    'xn--n3h.com:18080/foo', 'test-com:8080/foo', 'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa',
  ];
  const refused = [
    'https://github.com/docker/docker', 'docker/Docker', '-docker', '-docker/docker', '-docker.io/docker/docker', 'docker///docker',
    'docker.io/docker/Docker', 'docker.io/docker///docker', '[fc00::1]', '[fc00::1]:5000', 'fc00::1:5000/debian',
    '[fe80::1%eth0]:5000/debian', '[2001:db8:3:4::192.0.2.33]:5000/debian',
    '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', 'docker-/docker', '-docker-/docker', '____/____',
    '_docker/_docker', 'dock..er/docker', 'dock_.er/docker', 'dock-.er/docker', 'docker/', 'x/' + 'a'.repeat(256),
  ];
  it('accepts what it accepts', () => {
    for (const r of accepted) assert.ok(tryParseReference(r), r);
  });
  it('refuses what it refuses', () => {
    for (const r of refused) assert.equal(tryParseReference(r), undefined, r);
  });
  it('splits registry and repository the same way', () => {
    const cases: Array<[string, string, string]> = [
      ['test.com/foo', 'test.com', 'foo'],
      ['test_com/foo', 'docker.io', 'test_com/foo'],
      ['test.com:8080/foo', 'test.com:8080', 'foo'],
      ['xn--n3h.com/foo', 'xn--n3h.com', 'foo'],
      ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar'],
      ['FOO/bar', 'FOO', 'bar'],
      ['127.0.0.1:8000/privatebase', '127.0.0.1:8000', 'privatebase'],
    ];
    for (const [input, registry, repository] of cases) {
      const r = parseReference(input);
      assert.deepEqual([r.registry, r.repository], [registry, repository], input);
    }
    assert.equal(parseReference('library/foo/bar').familiar(), 'library/foo/bar');
    assert.equal(parseReference('index.docker.io/library/ubuntu-12.04-base').familiar(), 'ubuntu-12.04-base');
  });
});
