/** `link run` and `link record start|stop` as processes: what they write, and each bad input with its code. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { runCli, writeKeyPair } from './cli-helpers.js';

function errorCode(r: { stdout: string }): string {
  return (JSON.parse(r.stdout) as { error: { code: string } }).error.code;
}

describe('intoto link: CLI', () => {
  let t: { dir: string; remove: () => void };
  let keyid: string;
  before(() => {
    t = makeTempDir('cnab-trust-link-');
    keyid = writeKeyPair(t.dir, 'bob', 'ed25519');
    writeKeyPair(t.dir, 'carl', 'ecdsa');
    writeFileSync(path.join(t.dir, 'foo.py'), 'print(1)\n');
  });
  after(() => t.remove());

  it('run: records materials, command, streams, return value and products into <step>.<keyid8>.link', () => {
    const r = runCli(t.dir, ['link', 'run', '--step', 'build', '--key', 'bob', '-m', 'foo.py', '-p', 'out.txt', '-d', 'links', '--json', '--', 'cp', 'foo.py', 'out.txt']);
    assert.equal(r.status, 3, 'the metadata directory must exist'); // like in-toto-run: no directory is created
    mkdirSync(path.join(t.dir, 'links'));
    const ok = runCli(t.dir, ['link', 'run', '--step', 'build', '--key', 'bob', '-m', 'foo.py', '-p', 'out.txt', '-d', 'links', '--json', '--', 'cp', 'foo.py', 'out.txt']);
    assert.equal(ok.status, 0, ok.stderr);
    const file = path.join(t.dir, 'links', `build.${keyid.slice(0, 8)}.link`);
    const link = JSON.parse(readFileSync(file, 'utf8')) as { signed: { command: string[]; materials: object; products: object; byproducts: Record<string, unknown> } };
    assert.deepEqual(link.signed.command, ['cp', 'foo.py', 'out.txt']);
    assert.deepEqual(Object.keys(link.signed.materials), ['foo.py']);
    assert.deepEqual(Object.keys(link.signed.products), ['out.txt']);
    assert.deepEqual(link.signed.byproducts, { 'return-value': 0, stderr: '', stdout: '' });
  });

  it('record start/stop: a preliminary link signed by the same key, then the final link; stop without start fails', () => {
    const noStart = runCli(t.dir, ['link', 'record', 'stop', '--step', 'review', '--key', 'bob', '--json']);
    assert.equal(noStart.status, 1);
    assert.equal(errorCode(noStart), 'E_INTOTO_LINK_NOT_FOUND');
    assert.equal(runCli(t.dir, ['link', 'record', 'start', '--step', 'review', '--key', 'bob', '-m', 'foo.py']).status, 0);
    const unfinished = path.join(t.dir, `.review.${keyid.slice(0, 8)}.link-unfinished`);
    assert.ok(existsSync(unfinished));
    // carl cannot finish bob's recording
    assert.equal(errorCode(runCli(t.dir, ['link', 'record', 'stop', '--step', 'review', '--key', 'carl', '--json'])), 'E_INTOTO_LINK_NOT_FOUND');
    // an edited preliminary link is refused
    const text = readFileSync(unfinished, 'utf8');
    writeFileSync(unfinished, text.replace('"foo.py"', '"bar.py"'));
    const edited = runCli(t.dir, ['link', 'record', 'stop', '--step', 'review', '--key', 'bob', '--json']);
    assert.equal(edited.status, 1);
    assert.equal(errorCode(edited), 'E_SIGNATURE_INVALID');
    writeFileSync(unfinished, text);
    const stop = runCli(t.dir, ['link', 'record', 'stop', '--step', 'review', '--key', 'bob', '-p', 'foo.py']);
    assert.equal(stop.status, 0, stop.stderr);
    assert.ok(!existsSync(unfinished));
    const link = JSON.parse(readFileSync(path.join(t.dir, `review.${keyid.slice(0, 8)}.link`), 'utf8')) as { signed: { materials: object; products: object } };
    assert.deepEqual([Object.keys(link.signed.materials), Object.keys(link.signed.products)], [['foo.py'], ['foo.py']]);
  });

  it('bad input: paths and patterns climbing out (E_INTOTO_PATH), a wrong key file, a missing command, a bad step name', () => {
    const climb = runCli(t.dir, ['link', 'run', '--step', 's', '--key', 'bob', '-m', '../etc', '--json']);
    assert.equal(climb.status, 1);
    assert.equal(errorCode(climb), 'E_INTOTO_PATH');
    assert.equal(errorCode(runCli(t.dir, ['link', 'run', '--step', 's', '--key', 'bob', '-p', '/etc/passwd', '--json'])), 'E_INTOTO_PATH');
    assert.equal(errorCode(runCli(t.dir, ['link', 'run', '--step', 's', '--key', 'bob', '-m', '.', '--exclude', '../x', '--json'])), 'E_INTOTO_PATH');
    const pub = runCli(t.dir, ['link', 'run', '--step', 's', '--key', 'bob.pub', '-m', '.', '--json']);
    assert.equal(pub.status, 1);
    assert.match(errorCode(pub), /^E_KEY_/);
    assert.equal(errorCode(runCli(t.dir, ['link', 'run', '--step', 's', '--key', 'foo.py', '--json'])), 'E_KEY_INVALID');
    assert.equal(runCli(t.dir, ['link', 'run', '--step', 's', '--key', 'missing', '--json']).status, 3);
    const noCmd = runCli(t.dir, ['link', 'run', '--step', 's', '--key', 'bob', '--json', '--', 'no-such-program-here']);
    assert.equal(noCmd.status, 2);
    assert.equal(errorCode(runCli(t.dir, ['link', 'run', '--step', '../s', '--key', 'bob', '--json'])), 'E_INTOTO_PATH');
    // nothing written on failure
    assert.ok(!existsSync(path.join(t.dir, `s.${keyid.slice(0, 8)}.link`)));
  });

  it('private keys from intoto keygen are 0600, and keygen does not overwrite', () => {
    assert.equal(runCli(t.dir, ['intoto', 'keygen', 'k/new', '--type', 'ecdsa']).status, 0);
    assert.equal(statSync(path.join(t.dir, 'k/new')).mode & 0o777, 0o600);
    assert.equal(runCli(t.dir, ['intoto', 'keygen', 'k/new']).status, 2);
  });
});
