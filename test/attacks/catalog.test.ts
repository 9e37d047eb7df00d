/**
 * The attack suite's catalog (test/attacks/classes/<class>.ts, one file per class): every attack listed names a
 * test that exists, and SECURITY.md's threat map points at every class file, so the map cannot silently rot.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/fixtures.js';
import type { Attack, AttackClass } from './classes/attack.js';
import { attacks as tuf } from './classes/tuf.js';
import { attacks as bundle } from './classes/bundle.js';
import { attacks as archive } from './classes/archive.js';
import { attacks as relocation } from './classes/relocation.js';
import { attacks as registry } from './classes/registry.js';
import { attacks as intoto } from './classes/in-toto.js';
import { attacks as local } from './classes/local.js';

const catalog: Record<AttackClass, Attack[]> = { tuf, bundle, archive, relocation, registry, 'in-toto': intoto, local };

describe('attacks: the catalog of attack classes', () => {
  for (const [name, attacks] of Object.entries(catalog)) {
    it(`${name}: every listed attack names a test that exists (${attacks.length} attacks)`, () => {
      assert.ok(attacks.length > 0);
      for (const a of attacks) {
        const file = path.join(repoRoot, a.file);
        assert.ok(existsSync(file), `${a.threat}: ${a.file} does not exist`);
        assert.ok(readFileSync(file, 'utf8').includes(a.test), `${a.threat}: ${a.file} has no test ${JSON.stringify(a.test)}`);
      }
    });
  }

  it("SECURITY.md's threat map points at every class file", () => {
    const security = readFileSync(path.join(repoRoot, 'SECURITY.md'), 'utf8');
    for (const name of Object.keys(catalog)) assert.ok(security.includes(`test/attacks/classes/${name}.ts`), `SECURITY.md does not name the ${name} class`);
  });
});
