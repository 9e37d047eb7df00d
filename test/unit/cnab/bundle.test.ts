import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  parseBundle,
  canonicalizeBundleBytes,
  canonicalBundle,
  bundleImages,
  bundleImageReferences,
  bundleSchemaViolations,
  validateBundle,
  dropTopLevelNulls,
  parseBundleDocument,
} from '../../../src/core/cnab/index.js';
import bundleSchemaTs from '../../../src/core/cnab/schema/bundle.schema.js';
import { repoRoot, vectorsDir, cnabSpecDir } from '../../helpers/paths.js';
import { throwsCode } from '../../helpers/assert.js';

const minimal = { schemaVersion: 'v1.0.0', name: 'app', version: '1.0.0', invocationImages: [{ image: 'example/app:1.0.0' }] };
const bytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

describe('core/cnab', () => {
  describe('digest vectors (test/fixtures/vectors/README.md)', () => {
    const rows: Array<[string, number, string, boolean]> = [
      ['cnab-201-example.bundle.json', 498, 'e91b9dfcbbb3b88bac94726f276b89de46e4460b55f6e6d6f876e666b150ec5b', false],
      ['cnab-101-canonical.bundle.json', 1486, 'd2fa4112da8ae2b1fa0b76ac4bb4455eee0dcc7dc1cdca55c60091239e45d0c0', true],
      ['cnab-101.01.bundle.json', 1486, 'd83b4ed17a290f357f7757bcb627d74ede4769d6e185e35c7a7dd6da2456a7d6', false],
    ];
    it('the table in the README is the one tested here', () => {
      const readme = readFileSync(path.join(vectorsDir, 'README.md'), 'utf8');
      for (const [file, length, hex] of rows) {
        assert.ok(readme.includes(file) && readme.includes(`| ${length} | ${hex} |`), file);
      }
    });
    for (const [file, length, hex, canonical] of rows) {
      it(`${file}: length ${length}, sha256 ${hex.slice(0, 12)}…`, () => {
        const input = readFileSync(path.join(vectorsDir, file));
        const c = canonicalizeBundleBytes(input, { source: file });
        assert.equal(c.length, length);
        assert.equal(c.digest, `sha256:${hex}`);
        assert.equal(c.canonical, canonical);
        if (canonical) assert.deepEqual(c.bytes, input);
      });
    }
  });

  describe('parsing', () => {
    it('treats top-level null members as absent', () => {
      const b = parseBundle(bytes({ ...minimal, images: null, parameters: null, credentials: null }));
      assert.equal('images' in b, false);
      assert.equal('parameters' in b, false);
      assert.deepEqual(canonicalBundle(b).bytes, canonicalBundle(parseBundle(bytes(minimal))).bytes);
    });

    it('dropping nulls keeps a top-level "__proto__" member as data, never as the prototype', () => {
      const doc = dropTopLevelNulls(parseBundleDocument('{"__proto__":{"polluted":true},"images":null,"name":"a"}'));
      assert.deepEqual(Object.keys(doc), ['__proto__', 'name']);
      assert.equal(Object.getPrototypeOf(doc), Object.prototype);
      assert.equal((doc as Record<string, unknown>)['polluted'], undefined);
    });

    it('keeps nested nulls (and the schema judges them)', () => {
      const e = throwsCode(() => parseBundle(bytes({ ...minimal, images: { web: null } })), 'E_BUNDLE_SCHEMA');
      assert.match(e.message, /\$\.images\.web must be object/);
    });

    it('refuses duplicate keys anywhere in the bundle', () => {
      const doc = '{"schemaVersion":"v1.0.0","name":"a","version":"1.0.0","invocationImages":[{"image":"a","image":"b"}]}';
      const e = throwsCode(() => parseBundle(Buffer.from(doc), { source: 'dup.json' }), 'E_JSON_DUPLICATE_KEY');
      assert.equal(e.details?.['path'], '$.invocationImages[0].image');
    });

    it('refuses malformed JSON with line:column', () => {
      const e = throwsCode(() => parseBundle(Buffer.from('{\n  "name": "x",\n}'), { source: 'bad.json' }), 'E_JSON_PARSE');
      assert.match(e.message, /bad\.json at 3:1/);
    });

    it('refuses a document that is not an object', () => {
      const e = throwsCode(() => parseBundle(Buffer.from('[1]')), 'E_BUNDLE_SCHEMA');
      assert.match(e.message, /\$ must be an object, found an array/);
    });

    it('bounds size and depth', () => {
      throwsCode(() => parseBundle(bytes(minimal), { maxBytes: 10 }), 'E_JSON_TOO_LARGE');
      const deep = { ...minimal, custom: { a: JSON.parse('['.repeat(100) + ']'.repeat(100)) as unknown } };
      throwsCode(() => parseBundle(bytes(deep)), 'E_JSON_TOO_DEEP');
    });
  });

  describe('schema validation', () => {
    it('accepts the CNAB specification examples', () => {
      for (const f of ['101.01-bundle.json', '101.02-bundle.json', '101.03-bundle.json']) {
        assert.doesNotThrow(() => parseBundle(readFileSync(path.join(cnabSpecDir, 'examples', f)), { source: f }), f);
      }
    });

    it('names the missing required member and the rule', () => {
      const { name: _n, ...noName } = minimal;
      const e = throwsCode(() => validateBundle(noName, 'b.json'), 'E_BUNDLE_SCHEMA');
      assert.match(e.message, /^b\.json is not a valid CNAB bundle: \$\.name is required but missing \[rule required at #\/required\]/);
      assert.equal(e.details?.['path'], '$.name');
      assert.equal(e.subject, 'b.json');
    });

    it('names a member of the wrong type, deep inside', () => {
      const bad = { ...minimal, invocationImages: [{ image: 'a', size: 'big' }] };
      const e = throwsCode(() => validateBundle(bad), 'E_BUNDLE_SCHEMA');
      assert.equal(e.details?.['path'], '$.invocationImages[0].size');
      assert.match(e.message, /must be integer \[rule type at #\/definitions\/invocationImage\/properties\/size\/type\]/);
    });

    it('refuses unknown top-level members and bad patterns', () => {
      const v1 = bundleSchemaViolations({ ...minimal, extra: 1 });
      assert.deepEqual(v1.map((v) => v.path), ['$.extra']);
      const v2 = bundleSchemaViolations({ ...minimal, outputs: { o: { definition: 'd', path: '/tmp/x' } } });
      assert.equal(v2[0]?.path, '$.outputs.o.path');
      assert.match(v2[0]!.rule, /^pattern/);
    });

    it('checks definitions against the CNAB definitions schema', () => {
      const v = bundleSchemaViolations({ ...minimal, definitions: { port: { type: 'integer', maximum: 'x' } } });
      assert.ok(v.some((x) => x.path === '$.definitions.port.maximum'), JSON.stringify(v));
    });

    it('reports every violation in details', () => {
      const e = throwsCode(() => validateBundle({ invocationImages: 3 }), 'E_BUNDLE_SCHEMA');
      const violations = e.details?.['violations'] as unknown[];
      assert.ok(violations.length >= 4);
      assert.match(e.message, /and \d+ more/);
    });

    it('ships the CNAB schemas unchanged', () => {
      for (const [name, ts] of [['bundle', bundleSchemaTs]] as const) {
        const local = JSON.parse(readFileSync(path.join(repoRoot, `src/core/cnab/schema/${name}.schema.json`), 'utf8')) as unknown;
        const spec = JSON.parse(readFileSync(path.join(cnabSpecDir, `schema/${name}.schema.json`), 'utf8')) as unknown;
        assert.deepEqual(ts, local);
        assert.deepEqual(local, spec);
      }
    });
  });

  describe('images', () => {
    it('lists invocation images then component images with their digests', () => {
      const b = parseBundle(readFileSync(path.join(cnabSpecDir, 'examples/101.02-bundle.json')));
      assert.deepEqual(bundleImages(b), [
        {
          kind: 'invocation',
          reference: 'example/helloworld:1.2.3',
          index: 0,
          path: '$.invocationImages[0]',
          imageType: 'docker',
          contentDigest: 'sha256:aaaaaaaaaaaa...',
          size: 1337,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        },
        {
          kind: 'component',
          reference: 'example/helloworld:0.1.2',
          component: 'my-microservice',
          path: '$.images["my-microservice"]',
          imageType: 'oci',
          contentDigest: 'sha256:bbbbbbbbbbbb...',
          size: 1337,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        },
      ]);
    });

    it('orders components by name and lists distinct references', () => {
      const b = parseBundle(
        bytes({ ...minimal, images: { zeta: { image: 'z:1' }, alpha: { image: 'a:1' }, again: { image: 'example/app:1.0.0' } } }),
      );
      assert.deepEqual(bundleImages(b).map((i) => i.component ?? `#${i.index}`), ['#0', 'again', 'alpha', 'zeta']);
      assert.deepEqual(bundleImageReferences(b), ['example/app:1.0.0', 'a:1', 'z:1']);
    });
  });
});
