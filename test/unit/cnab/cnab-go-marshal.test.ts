/**
 * The model of cnab-go's marshalling: what Porter and cnab-to-oci would store for a bundle, and why
 * each member changes. Expected forms written from cnab-go's struct tags (bundle/bundle.go, definition/schema.go).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { jcsString } from '../../../src/core/canonical/jcs.js';
import { cnabGoMarshal, parseBundleDocument } from '../../../src/core/cnab/index.js';
import { repoRoot } from '../../helpers/paths.js';

const marshal = (doc: unknown): { text: string; changes: Array<{ path: string; change: string; reason: string }> } => {
  const { value, changes } = cnabGoMarshal(parseBundleDocument(JSON.stringify(doc)));
  return { text: jcsString(value), changes };
};
const base = { schemaVersion: 'v1.0.0', name: 'a', version: '1.0.0', description: 'd', invocationImages: [{ imageType: 'oci', image: 'x:1' }] };

describe('core/cnab: cnab-go marshalling model', () => {
  it('leaves a bundle in cnab-go form unchanged (the number-shaped fixtures)', () => {
    for (const name of ['cnab-go-shape', 'porter-shape', 'cnab-to-oci-shape']) {
      const doc = parseBundleDocument(readFileSync(path.join(repoRoot, `test/fixtures/cnab/numbers/${name}.bundle.json`)));
      const { value, changes } = cnabGoMarshal(doc);
      assert.deepEqual(changes, [], name);
      assert.equal(jcsString(value), jcsString(doc), name);
    }
  });

  it('drops unknown members, with the struct that has no such field', () => {
    const r = marshal({ ...base, actions: { a: { title: 'T', stateless: true } }, definitions: { d: { type: 'array', maxItems: 3, 'x-note': 1 } } });
    assert.equal(r.text, jcsString({ ...base, actions: { a: { stateless: true } }, definitions: { d: { type: 'array' } } }));
    assert.deepEqual(
      r.changes.map((c) => [c.path, c.change]),
      [
        ['$.actions.a.title', 'dropped'],
        ['$.definitions.d.maxItems', 'dropped'],
        ['$.definitions.d["x-note"]', 'dropped'],
      ],
    );
    assert.match(r.changes[0]!.reason, /bundle\.Action has no field "title"/);
  });

  it('applies omitempty, and writes absent fields that have none', () => {
    const r = marshal({
      schemaVersion: 'v1.0.0',
      name: 'a',
      version: '1.0.0',
      keywords: [],
      invocationImages: [{ image: 'x:1', labels: {}, size: 0 }],
      images: { web: { image: 'w:1', imageType: 'oci' } },
      parameters: { p: { definition: 'd', required: false } },
      outputs: { o: { definition: 'd' } },
      credentials: { c: { env: 'C', required: false, description: '' } },
      definitions: { d: { type: 'string', default: null, enum: [], minLength: 0, readOnly: false } },
      custom: { k: null },
    });
    assert.equal(
      r.text,
      jcsString({
        schemaVersion: 'v1.0.0',
        name: 'a',
        version: '1.0.0',
        description: '',
        invocationImages: [{ image: 'x:1', imageType: '' }],
        images: { web: { image: 'w:1', imageType: 'oci', description: '' } },
        parameters: { p: { definition: 'd', destination: null } },
        outputs: { o: { definition: 'd', path: '' } },
        credentials: { c: { env: 'C' } },
        definitions: { d: { type: 'string', minLength: 0, readOnly: false } },
        custom: { k: null },
      }),
    );
    const by = new Map(r.changes.map((c) => [c.path, c.change]));
    assert.equal(by.get('$.description'), 'added');
    assert.equal(by.get('$.keywords'), 'dropped');
    assert.equal(by.get('$.invocationImages[0].imageType'), 'added');
    assert.equal(by.get('$.invocationImages[0].labels'), 'dropped');
    assert.equal(by.get('$.invocationImages[0].size'), 'dropped');
    assert.equal(by.get('$.images.web.description'), 'added');
    assert.equal(by.get('$.parameters.p.destination'), 'added');
    assert.equal(by.get('$.parameters.p.required'), 'dropped');
    assert.equal(by.get('$.outputs.o.path'), 'added');
    assert.equal(by.get('$.definitions.d.default'), 'dropped');
    assert.equal(by.get('$.definitions.d.enum'), 'dropped');
    assert.equal(by.has('$.custom.k'), false, 'custom keeps everything');
  });

  it('renames a member matched case-insensitively, and says what cnab-go cannot read', () => {
    const r = marshal({ ...base, License: 'MIT', images: { w: { image: 'w:1', imageType: 'oci', description: '', size: 1.5 } }, definitions: { d: { properties: { a: true } } } });
    const by = new Map(r.changes.map((c) => [c.path, c]));
    assert.equal(by.get('$.License')?.change, 'renamed');
    assert.ok(r.text.includes('"license":"MIT"'));
    assert.equal(by.get('$.images.w.size')?.change, 'unreadable');
    assert.equal(by.get('$.definitions.d.properties.a')?.change, 'unreadable');
  });
});
