/**
 * Interop with the python reference (Debian in-toto 1.3.1), both directions:
 *  - a supply chain made only with our tool (keys from `intoto keygen` of each type, `layout create/sign`,
 *    `link record start/stop`, `link run`) passes python `in-toto-verify` and our `intoto verify`, and a
 *    tampered product fails both;
 *  - links made by python `in-toto-run` / `in-toto-record` pass our verifier under a layout we wrote;
 *  - for an ed25519 key (deterministic signatures) our link file equals in-toto-run's byte for byte.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { intotoFixtures, repoRoot } from '../../helpers/fixtures.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { runCli } from './cli-helpers.js';

function python(cwd: string, program: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(`/usr/bin/${program}`, args, { cwd, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: { status: number; stdout: string; stderr: string }, what: string): void {
  assert.equal(r.status, 0, `${what}: ${r.stderr}${r.stdout}`);
}

const DESCRIPTION = `expires: 30d
readme: made by cnab-trust, checked by in-toto-verify
steps:
  - name: write-code
    functionaries: keys/bob.pub
    products: [CREATE foo.py, DISALLOW *]
  - name: package
    functionaries: keys/carl.pub
    command: tar zcvf foo.tar.gz foo.py
    materials: [MATCH foo.py WITH PRODUCTS FROM write-code, DISALLOW *]
    products: [CREATE foo.tar.gz, DISALLOW *]
  - name: sign-off
    functionaries: [keys/dave.pub, keys/erin.pub]
    threshold: 2
    materials: [MATCH foo.tar.gz WITH PRODUCTS FROM package, DISALLOW *]
inspections:
  - name: untar
    run: tar xzf foo.tar.gz
    materials: [MATCH foo.tar.gz WITH PRODUCTS FROM package, ALLOW root.layout, ALLOW "keys/*", DISALLOW *]
    products: [MATCH foo.py WITH PRODUCTS FROM write-code, MATCH foo.tar.gz WITH PRODUCTS FROM package, ALLOW root.layout, ALLOW "keys/*", DISALLOW *]
`;

describe('intoto interop with python in-toto 1.3.1', function () {
  this.timeout(120_000);

  it('a supply chain made by cnab-trust (ed25519, ecdsa and rsa keys, a threshold-2 step, three layout signatures) passes in-toto-verify and ours; tampering fails both', () => {
    const t = makeTempDir('cnab-trust-interop-');
    try {
      const work = path.join(t.dir, 'work');
      mkdirSync(work);
      writeFileSync(path.join(work, 'layout.yaml'), DESCRIPTION);
      for (const [name, type] of [['owner-rsa', 'rsa'], ['owner-ecdsa', 'ecdsa'], ['owner-ed', 'ed25519'], ['bob', 'ed25519'], ['carl', 'ecdsa'], ['dave', 'rsa'], ['erin', 'ed25519']]) {
        ok(runCli(work, ['intoto', 'keygen', `keys/${name}`, '--type', type!, '--bits', '2048']), `keygen ${name}`);
      }
      ok(runCli(work, ['layout', 'create', 'layout.yaml', '-o', 'root.layout']), 'layout create');
      ok(runCli(work, ['layout', 'sign', 'root.layout', '--key', 'keys/owner-rsa', 'keys/owner-ecdsa', 'keys/owner-ed']), 'layout sign');
      ok(runCli(work, ['link', 'record', 'start', '--step', 'write-code', '--key', 'keys/bob']), 'record start');
      writeFileSync(path.join(work, 'foo.py'), 'print("hello")\r\n');
      ok(runCli(work, ['link', 'record', 'stop', '--step', 'write-code', '--key', 'keys/bob', '-p', 'foo.py']), 'record stop');
      ok(runCli(work, ['link', 'run', '--step', 'package', '--key', 'keys/carl', '-m', 'foo.py', '-p', 'foo.tar.gz', '--', 'tar', 'zcvf', 'foo.tar.gz', 'foo.py']), 'link run');
      ok(runCli(work, ['link', 'run', '--step', 'sign-off', '--key', 'keys/dave', '-m', 'foo.tar.gz']), 'link run without command');
      ok(runCli(work, ['link', 'run', '--step', 'sign-off', '--key', 'keys/erin', '-m', 'foo.tar.gz']), 'second sign-off (threshold 2)');

      // The client's directory: layout, links, public keys, the package; no sources, no private keys.
      const client = path.join(t.dir, 'client');
      mkdirSync(path.join(client, 'keys'), { recursive: true });
      for (const f of ['root.layout', 'foo.tar.gz']) copyFileSync(path.join(work, f), path.join(client, f));
      for (const f of ['owner-rsa', 'owner-ecdsa', 'owner-ed']) copyFileSync(path.join(work, 'keys', `${f}.pub`), path.join(client, 'keys', `${f}.pub`));
      const links = spawnSync('sh', ['-c', 'ls *.link'], { cwd: work, encoding: 'utf8' }).stdout.trim().split('\n');
      assert.equal(links.length, 4, links.join(' '));
      for (const l of links) copyFileSync(path.join(work, l), path.join(client, l));
      const pyArgs = ['-l', 'root.layout', '-k', 'keys/owner-rsa.pub', 'keys/owner-ecdsa.pub', 'keys/owner-ed.pub', '-t', 'rsa', 'ecdsa', 'ed25519'];
      const ourArgs = ['intoto', 'verify', '--layout', 'root.layout', '--layout-keys', 'keys/owner-rsa.pub', 'keys/owner-ecdsa.pub', 'keys/owner-ed.pub', '--links', '.'];

      const pass1 = path.join(t.dir, 'py-pass');
      cpSync(client, pass1, { recursive: true });
      ok(python(pass1, 'in-toto-verify', pyArgs), 'python in-toto-verify');
      const pass2 = path.join(t.dir, 'our-pass');
      cpSync(client, pass2, { recursive: true });
      ok(runCli(pass2, ourArgs), 'our intoto verify');

      // The package replaced after the package step: both refuse it.
      writeFileSync(path.join(client, 'foo.tar.gz'), 'not the package');
      const fail1 = path.join(t.dir, 'py-fail');
      cpSync(client, fail1, { recursive: true });
      const py = python(fail1, 'in-toto-verify', pyArgs);
      assert.equal(py.status, 1, py.stderr);
      const fail2 = path.join(t.dir, 'our-fail');
      cpSync(client, fail2, { recursive: true });
      const ours = runCli(fail2, [...ourArgs, '--json']);
      assert.equal(ours.status, 1, ours.stderr);
      assert.equal((JSON.parse(ours.stdout) as { verified: boolean }).verified, false);
    } finally {
      t.remove();
    }
  });

  it('the README example (examples/intoto/run-demo.sh) passes our verifier and in-toto-verify', () => {
    const r = spawnSync('sh', [path.join(repoRoot, 'examples/intoto/run-demo.sh')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /verdict: PASS/);
    assert.match(r.stdout, /in-toto-verify \(python reference\): PASS/);
  });

  it('a sublayout made with layout create (signed by the functionary) and links in <step>.<keyid8>/ passes both verifiers', () => {
    const t = makeTempDir('cnab-trust-interop-sub-');
    try {
      const w = t.dir;
      for (const [name, type] of [['owner', 'rsa'], ['bob', 'ed25519'], ['carl', 'ecdsa'], ['dave', 'rsa']]) ok(runCli(w, ['intoto', 'keygen', `keys/${name}`, '--type', type!, '--bits', '2048']), `keygen ${name}`);
      writeFileSync(path.join(w, 'root.yaml'), [
        'steps:',
        '  - {name: write-code, functionaries: keys/bob.pub, products: [CREATE foo.py, DISALLOW *]}',
        '  - name: package',
        '    functionaries: keys/carl.pub',
        '    command: tar zcvf foo.tar.gz foo.py',
        '    materials: [MATCH foo.py WITH PRODUCTS FROM write-code, DISALLOW *]',
        '    products: [CREATE foo.tar.gz, DISALLOW *]',
        '',
      ].join('\n'));
      writeFileSync(path.join(w, 'sub.yaml'), [
        'steps:',
        '  - {name: review, functionaries: keys/dave.pub, materials: [ALLOW foo.py]}',
        '  - name: tar',
        '    functionaries: keys/dave.pub',
        '    command: tar zcvf foo.tar.gz foo.py',
        '    materials: [MATCH foo.py WITH MATERIALS FROM review, DISALLOW *]',
        '    products: [CREATE foo.tar.gz, DISALLOW *]',
        '',
      ].join('\n'));
      ok(runCli(w, ['layout', 'create', 'root.yaml', '-o', 'root.layout', '--key', 'keys/owner']), 'root layout');
      const sub = runCli(w, ['layout', 'create', 'sub.yaml', '-o', 'sub.tmp', '--key', 'keys/carl', '--json']);
      ok(sub, 'sublayout');
      const carl8 = (JSON.parse(sub.stdout) as { signatures: { keyid: string }[] }).signatures[0]!.keyid.slice(0, 8);
      const client = path.join(w, 'client');
      mkdirSync(path.join(client, 'keys'), { recursive: true });
      copyFileSync(path.join(w, 'sub.tmp'), path.join(client, `package.${carl8}.link`));
      mkdirSync(path.join(client, `package.${carl8}`));
      ok(runCli(w, ['link', 'record', 'start', '--step', 'write-code', '--key', 'keys/bob', '-d', 'client']), 'record start');
      writeFileSync(path.join(w, 'foo.py'), 'x\n');
      ok(runCli(w, ['link', 'record', 'stop', '--step', 'write-code', '--key', 'keys/bob', '-p', 'foo.py', '-d', 'client']), 'record stop');
      ok(runCli(w, ['link', 'run', '--step', 'review', '--key', 'keys/dave', '-m', 'foo.py', '-d', `client/package.${carl8}`]), 'review');
      ok(runCli(w, ['link', 'run', '--step', 'tar', '--key', 'keys/dave', '-m', 'foo.py', '-p', 'foo.tar.gz', '-d', `client/package.${carl8}`, '--', 'tar', 'zcvf', 'foo.tar.gz', 'foo.py']), 'tar');
      for (const f of ['root.layout', 'foo.tar.gz', 'keys/owner.pub']) copyFileSync(path.join(w, f), path.join(client, f));
      const py = path.join(w, 'py');
      cpSync(client, py, { recursive: true });
      ok(python(py, 'in-toto-verify', ['-l', 'root.layout', '-k', 'keys/owner.pub', '-t', 'rsa']), 'python verify with sublayout');
      const ours = runCli(client, ['intoto', 'verify', '--layout', 'root.layout', '--layout-keys', 'keys/owner.pub', '--json']);
      ok(ours, 'our verify with sublayout');
      assert.ok((JSON.parse(ours.stdout) as { steps: { sublayout?: boolean }[] }).steps.some((s) => s.sublayout));
    } finally {
      t.remove();
    }
  });

  it('links recorded by in-toto-run and in-toto-record pass our verifier under a layout we wrote', () => {
    const t = makeTempDir('cnab-trust-interop-py-');
    try {
      const keys = path.join(t.dir, 'keys');
      mkdirSync(keys);
      for (const k of ['bob', 'bob.pub', 'carl', 'carl.pub']) copyFileSync(path.join(intotoFixtures, 'keys', k), path.join(keys, k));
      const work = path.join(t.dir, 'work');
      mkdirSync(work);
      ok(runCli(t.dir, ['intoto', 'keygen', 'keys/owner', '--type', 'ecdsa']), 'keygen owner');
      writeFileSync(path.join(t.dir, 'layout.yaml'), DESCRIPTION.replace(/  - name: sign-off\n(.*\n){3}/, ''));
      ok(runCli(t.dir, ['layout', 'create', 'layout.yaml', '-o', 'work/root.layout', '--key', 'keys/owner']), 'layout create --key');
      ok(python(work, 'in-toto-record', ['start', '-n', 'write-code', '-k', '../keys/bob', '-t', 'ed25519']), 'in-toto-record start');
      writeFileSync(path.join(work, 'foo.py'), 'print("hello")\n');
      ok(python(work, 'in-toto-record', ['stop', '-n', 'write-code', '-k', '../keys/bob', '-t', 'ed25519', '-p', 'foo.py']), 'in-toto-record stop');
      ok(python(work, 'in-toto-run', ['-n', 'package', '-k', '../keys/carl', '-t', 'ecdsa', '-m', 'foo.py', '-p', 'foo.tar.gz', '-s', '--', 'tar', 'zcvf', 'foo.tar.gz', 'foo.py']), 'in-toto-run');
      const client = path.join(t.dir, 'client');
      mkdirSync(path.join(client, 'keys'), { recursive: true });
      copyFileSync(path.join(keys, 'owner.pub'), path.join(client, 'keys', 'owner.pub'));
      for (const f of ['root.layout', 'foo.tar.gz', 'write-code.96f74413.link', 'package.5b000b04.link']) copyFileSync(path.join(work, f), path.join(client, f));
      ok(runCli(client, ['intoto', 'verify', '--layout', 'root.layout', '--layout-keys', 'keys/owner.pub']), 'our verify of python links');
      // python agrees on the same directory
      const py = path.join(t.dir, 'py');
      cpSync(client, py, { recursive: true });
      ok(python(py, 'in-toto-verify', ['-l', 'root.layout', '-k', 'keys/owner.pub', '-t', 'ecdsa']), 'python verify of our layout');
    } finally {
      t.remove();
    }
  });

  it('record start by one tool and stop by the other, both ways (the preliminary link files are the same format)', () => {
    const t = makeTempDir('cnab-trust-interop-rec-');
    try {
      const k = (n: string): string => path.join(intotoFixtures, 'keys', n);
      writeFileSync(path.join(t.dir, 'a.txt'), 'a\n');
      ok(python(t.dir, 'in-toto-record', ['start', '-n', 's1', '-k', k('carl'), '-t', 'ecdsa', '-m', 'a.txt']), 'python start');
      ok(runCli(t.dir, ['link', 'record', 'stop', '--step', 's1', '--key', k('carl'), '-p', 'a.txt']), 'our stop');
      ok(runCli(t.dir, ['link', 'record', 'start', '--step', 's2', '--key', k('dave'), '-m', 'a.txt']), 'our start');
      ok(python(t.dir, 'in-toto-record', ['stop', '-n', 's2', '-k', k('dave'), '-t', 'rsa', '-p', 'a.txt']), 'python stop');
      for (const f of ['s1.5b000b04.link', 's2.5c4aedd1.link']) {
        const link = JSON.parse(readFileSync(path.join(t.dir, f), 'utf8')) as { signed: { materials: object; products: object } };
        assert.deepEqual([Object.keys(link.signed.materials), Object.keys(link.signed.products)], [['a.txt'], ['a.txt']], f);
      }
    } finally {
      t.remove();
    }
  });

  it('with an ed25519 key our link file is byte-identical to in-toto-run\'s (materials, command, streams, products)', () => {
    const t = makeTempDir('cnab-trust-interop-bytes-');
    try {
      const tree = path.join(t.dir, 'tree');
      mkdirSync(path.join(tree, 'src'), { recursive: true });
      writeFileSync(path.join(tree, 'src', 'a.txt'), 'line\r\nnext\rlast');
      writeFileSync(path.join(tree, 'notes.txt~'), 'excluded');
      writeFileSync(path.join(tree, 'ünï.txt'), 'x');
      cpSync(tree, path.join(t.dir, 'py'), { recursive: true });
      cpSync(tree, path.join(t.dir, 'ours'), { recursive: true });
      const key = path.join(intotoFixtures, 'keys', 'bob');
      const cmd = ['sh', '-c', 'cp src/a.txt out.txt; echo "to stdout"; printf "to\\r\\nstderr" >&2; exit 3'];
      // materials given by absolute path and left-stripped (as in-toto-run's help shows), products as `.`
      const args = (dir: string): string[] => ['-m', path.join(t.dir, dir, 'src'), '--lstrip-paths', `${path.join(t.dir, dir)}/`, '-p', '.'];
      ok(python(path.join(t.dir, 'py'), 'in-toto-run', ['-n', 'build', '-k', key, '-t', 'ed25519', ...args('py'), '-s', '--', ...cmd]), 'in-toto-run');
      const r = runCli(path.join(t.dir, 'ours'), ['link', 'run', '--step', 'build', '--key', key, ...args('ours'), '--', ...cmd]);
      ok(r, 'link run');
      assert.match(r.stderr, /returned 3/);
      const name = 'build.96f74413.link';
      const theirs = readFileSync(path.join(t.dir, 'py', name), 'utf8');
      assert.equal(readFileSync(path.join(t.dir, 'ours', name), 'utf8'), theirs);
      assert.match(theirs, /"return-value": 3/);
      assert.match(theirs, /"src\/a.txt"/);
    } finally {
      t.remove();
    }
  });
});
