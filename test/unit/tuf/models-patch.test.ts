/**
 * patches/@tufjs+models+4.1.1.patch: @tufjs/models 4.1.1 builds every map of a role
 * (targets, snapshot meta, keys, roles) with `reduce((acc, ...) => ({ ...acc, [k]: v }), {})`, copying the whole
 * object once per entry: quadratic in the number of targets or bins. The patch builds them with
 * `Object.fromEntries`. These tests check that the installed package is the patched one (they fail on the
 * package as published) and that the patched maps keep the published behaviour: own data properties (even a
 * target named `__proto__`), key order, the last of two delegated roles of one name.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Metadata, MetadataKind, Root, Snapshot, Targets } from '@tufjs/models';

const require = createRequire(import.meta.url);
const modelsDist = path.dirname(require.resolve('@tufjs/models'));
/** `...acc` inside a reduce callback: the shape of the quadratic copy. */
const SPREAD_ACCUMULATOR = /\.\.\.acc\b/;

const EXPIRES = '2030-01-01T00:00:00Z';
const targetJson = (n: number) => ({ length: n, hashes: { sha256: n.toString(16).padStart(64, '0') } });

describe('@tufjs/models patch (linear role maps)', () => {
  for (const file of ['targets.js', 'snapshot.js', 'delegations.js', 'root.js']) {
    it(`${file} builds its maps without copying an accumulator per entry`, () => {
      const source = readFileSync(path.join(modelsDist, file), 'utf8');
      assert.doesNotMatch(source, SPREAD_ACCUMULATOR, `${file} still has the quadratic reduce: run \`npx patch-package\``);
      assert.match(source, /Object\.fromEntries\(/);
    });
  }

  it('keeps targets as own data properties in file order, `__proto__` included, and round-trips them', () => {
    const targets = JSON.parse(`{"b":${JSON.stringify(targetJson(1))},"__proto__":${JSON.stringify(targetJson(2))},"7":${JSON.stringify(targetJson(3))},"a":${JSON.stringify(targetJson(4))}}`);
    const md = Metadata.fromJSON(MetadataKind.Targets, {
      signed: { _type: 'targets', spec_version: '1.0.31', version: 1, expires: EXPIRES, targets },
      signatures: [],
    });
    const t = md.signed as Targets;
    assert.deepEqual(Object.keys(t.targets), ['7', 'b', '__proto__', 'a']);
    assert.equal(Object.getPrototypeOf(t.targets), Object.prototype);
    assert.ok(Object.hasOwn(t.targets, '__proto__'));
    assert.equal(t.targets['__proto__']!.length, 2);
    assert.deepEqual(Object.keys((t.toJSON() as { targets: object }).targets), ['7', 'b', '__proto__', 'a']);
  });

  it('reads snapshot meta, root keys and roles, delegated keys and roles as before', () => {
    const snap = Snapshot.fromJSON({ _type: 'snapshot', spec_version: '1.0.31', version: 1, expires: EXPIRES, meta: { 'targets.json': { version: 3 }, 'bins-0.json': { version: 1 } } });
    assert.deepEqual(Object.keys(snap.meta), ['targets.json', 'bins-0.json']);
    assert.deepEqual(snap.toJSON().meta, { 'targets.json': { version: 3 }, 'bins-0.json': { version: 1 } });

    const root = new Root({ version: 1, specVersion: '1.0.31', expires: EXPIRES });
    assert.deepEqual(Object.keys(root.roles), ['root', 'targets', 'snapshot', 'timestamp']);
    const back = Root.fromJSON(root.toJSON());
    assert.deepEqual(back.toJSON(), root.toJSON());

    const key = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: 'ab'.repeat(32) } };
    const role = (name: string, paths: string[]) => ({ name, keyids: ['k1'], threshold: 1, terminating: false, paths });
    const t = Targets.fromJSON({
      _type: 'targets',
      spec_version: '1.0.31',
      version: 1,
      expires: EXPIRES,
      targets: {},
      delegations: { keys: { k1: key }, roles: [role('r', ['a/*']), role('s', ['b/*']), role('r', ['c/*'])] },
    });
    assert.deepEqual(Object.keys(t.delegations!.keys), ['k1']);
    assert.deepEqual(Object.keys(t.delegations!.roles!), ['r', 's']);
    assert.deepEqual(t.delegations!.roles!['r']!.paths, ['c/*'], 'the last role of a name wins, as with the reduce');
  });
});
