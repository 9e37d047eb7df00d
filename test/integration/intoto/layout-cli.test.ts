/** `layout create | sign | show` as processes: errors pointing at file:line, signatures, the summary. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { intotoFixtures } from '../../helpers/fixtures.js';
import { runCli, writeKeyPair } from './cli-helpers.js';

const DESC = `steps:
  - name: build
    functionaries: [keys/bob.pub]
    command: make
    products: [CREATE app, DISALLOW *]
  - name: release
    functionaries: [keys/carl.pub]
    materials: [MATCH app WITH PRODUCTS FROM build, DISALLOW *]
`;

describe('intoto layout: CLI', () => {
  let t: { dir: string; remove: () => void };
  before(() => {
    t = makeTempDir('cnab-trust-layout-');
    mkdirSync(path.join(t.dir, 'keys'));
    writeKeyPair(t.dir, 'keys/bob', 'ed25519');
    writeKeyPair(t.dir, 'keys/carl', 'ecdsa');
    writeKeyPair(t.dir, 'owner', 'rsa');
    writeKeyPair(t.dir, 'owner2', 'ed25519');
    writeFileSync(path.join(t.dir, 'layout.yaml'), DESC);
  });
  after(() => t.remove());

  it('create, sign with two keys, show with the signatures checked', () => {
    const c = runCli(t.dir, ['layout', 'create', 'layout.yaml', '-o', 'root.layout', '--json']);
    assert.equal(c.status, 0, c.stderr);
    assert.deepEqual((JSON.parse(c.stdout) as { signatures: unknown[] }).signatures, []);
    assert.equal(runCli(t.dir, ['layout', 'sign', 'root.layout', '--key', 'owner', 'owner2']).status, 0);
    const s = runCli(t.dir, ['layout', 'show', 'root.layout', '--layout-keys', 'owner.pub', 'owner2.pub', '--json']);
    assert.equal(s.status, 0, s.stderr);
    const summary = JSON.parse(s.stdout) as { signatures: { verified: boolean }[]; steps: { name: string; expectedCommand: string[] }[] };
    assert.deepEqual(summary.signatures.map((x) => x.verified), [true, true]);
    assert.deepEqual(summary.steps.map((x) => x.name), ['build', 'release']);
    assert.deepEqual(summary.steps[0]!.expectedCommand, ['make']);
    // re-signing without --append replaces; with --append keeps
    assert.equal(runCli(t.dir, ['layout', 'sign', 'root.layout', '--key', 'owner']).status, 0);
    assert.equal((JSON.parse(readFileSync(path.join(t.dir, 'root.layout'), 'utf8')) as { signatures: unknown[] }).signatures.length, 1);
    assert.equal(runCli(t.dir, ['layout', 'sign', 'root.layout', '--key', 'owner2', '--append']).status, 0);
    assert.equal((JSON.parse(readFileSync(path.join(t.dir, 'root.layout'), 'utf8')) as { signatures: unknown[] }).signatures.length, 2);
    // an edited layout shows its signature as invalid
    writeFileSync(path.join(t.dir, 'edited.layout'), readFileSync(path.join(t.dir, 'root.layout'), 'utf8').replace('"make"', '"make all"'));
    const e = JSON.parse(runCli(t.dir, ['layout', 'show', 'edited.layout', '--layout-keys', 'owner.pub', '--json']).stdout) as { signatures: { verified?: boolean }[] };
    assert.ok(e.signatures.some((x) => x.verified === false));
  });

  it('a functionary key file that is missing or not a key: E_INTOTO_DESCRIPTION at its line (exit 1)', () => {
    writeFileSync(path.join(t.dir, 'missing.yaml'), DESC.replace('keys/carl.pub', 'keys/nobody.pub'));
    const m = runCli(t.dir, ['layout', 'create', 'missing.yaml', '-o', 'x.layout']);
    assert.equal(m.status, 1);
    assert.match(m.stderr, /^error\[E_INTOTO_DESCRIPTION\]: missing\.yaml:7: functionary key file 'keys\/nobody\.pub' of step 'release' does not exist/);
    writeFileSync(path.join(t.dir, 'notkey.yaml'), DESC.replace('keys/carl.pub', 'layout.yaml'));
    const n = runCli(t.dir, ['layout', 'create', 'notkey.yaml', '-o', 'x.layout']);
    assert.equal(n.status, 1);
    assert.match(n.stderr, /notkey\.yaml:7: functionary key file 'layout\.yaml' of step 'release' is not a usable public key/);
    writeFileSync(path.join(t.dir, 'typo.yaml'), DESC.replace('FROM build', 'FROM biuld'));
    assert.match(runCli(t.dir, ['layout', 'create', 'typo.yaml', '-o', 'x.layout']).stderr, /typo\.yaml:8: MATCH in step 'release' materials names unknown step 'biuld': did you mean 'build'\?/);
  });

  it('show marks an expired layout', () => {
    const s = runCli(t.dir, ['layout', 'show', path.join(intotoFixtures, 'cases/layout-expired/root.layout'), '--json']);
    assert.equal(s.status, 0, s.stderr);
    assert.equal((JSON.parse(s.stdout) as { expired: boolean }).expired, true);
  });

  it('sign refuses a link, show refuses what is not JSON', () => {
    writeFileSync(path.join(t.dir, 'a.link'), JSON.stringify({ signed: { _type: 'link', name: 'a' }, signatures: [] }));
    assert.equal(runCli(t.dir, ['layout', 'sign', 'a.link', '--key', 'owner']).status, 1);
    writeFileSync(path.join(t.dir, 'junk.layout'), 'not json');
    const j = runCli(t.dir, ['layout', 'show', 'junk.layout', '--json']);
    assert.equal(j.status, 1);
    assert.equal((JSON.parse(j.stdout) as { error: { code: string } }).error.code, 'E_JSON_PARSE');
  });
});
