/**
 * The ahead-of-time compiled schema validators (`src/core/cnab/schema/bundle-validator.generated.ts`) are exactly
 * what ajv generates from the committed schemas today, and give the same verdicts and errors as compiling them now.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleValidatorSource, compileValidators } from '../../helpers/bundle-validator-source.js';
import { getValidators } from '../../../src/core/cnab/validate.js';
import { repoRoot } from '../../helpers/paths.js';

describe('core/cnab: ahead-of-time compiled schema validators', () => {
  it('the committed generated module is up to date (else: npm run gen:validator)', () => {
    const committed = readFileSync(path.join(repoRoot, 'src/core/cnab/schema/bundle-validator.generated.ts'), 'utf8');
    assert.ok(committed === bundleValidatorSource(), 'bundle-validator.generated.ts differs from what ajv generates now');
  });

  it('gives the same verdicts and errors as validators compiled now', () => {
    const generated = getValidators();
    const compiled = compileValidators();
    const cases: unknown[] = [
      JSON.parse(readFileSync(path.join(repoRoot, 'examples/storefront/bundle.json'), 'utf8')),
      JSON.parse(readFileSync(path.join(repoRoot, 'examples/helloworld/bundle.json'), 'utf8')),
      { schemaVersion: 'v1.0.0', name: 'x', version: '1.0.0' },
      { schemaVersion: 'v1.0.0', name: 'x', version: '1.0.0', invocationImages: [{ image: 3 }], extra: true },
      { schemaVersion: 'v1.0.0', name: 'x', version: '1.0.0', invocationImages: [], custom: { a: 1 }, parameters: { p: { definition: 5 } } },
      'not an object',
    ];
    for (const value of cases) {
      const a = generated.bundle(value);
      const b = compiled.bundle(value);
      assert.equal(a, b);
      assert.deepEqual(generated.bundle.errors ?? null, compiled.bundle.errors ?? null);
    }
    for (const def of [{ type: 'integer', minimum: 1 }, { type: 'nonsense' }, { properties: 3 }]) {
      assert.equal(generated.definition(def), compiled.definition(def));
      assert.deepEqual(generated.definition.errors ?? null, compiled.definition.errors ?? null);
    }
  });
});
