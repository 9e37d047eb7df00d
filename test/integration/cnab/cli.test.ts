/** `cnab-trust digest | canonicalize | validate` through the real CLI (node dist/src/cli/main.js). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { repoRoot, vectorsDir, cnabSpecDir } from '../../helpers/paths.js';
import { cliMain, runCli as run, assertOneLineError } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { makeTgz } from '../../helpers/tar.js';

const fixtures = path.join(repoRoot, 'test/fixtures/cnab');
const fx = (name: string): string => path.join(fixtures, name);

const bundle = '{"invocationImages":[{"image":"a"}],"name":"x","schemaVersion":"v1.0.0","version":"1.0.0"}';

describe('cli: digest, canonicalize, validate', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('cnab-trust-cli-');
  });
  afterEach(() => tmp.remove());

  describe('the three digest vectors', () => {
    const rows: Array<[string, number, string, boolean]> = [
      ['cnab-201-example.bundle.json', 498, 'e91b9dfcbbb3b88bac94726f276b89de46e4460b55f6e6d6f876e666b150ec5b', false],
      ['cnab-101-canonical.bundle.json', 1486, 'd2fa4112da8ae2b1fa0b76ac4bb4455eee0dcc7dc1cdca55c60091239e45d0c0', true],
      ['cnab-101.01.bundle.json', 1486, 'd83b4ed17a290f357f7757bcb627d74ede4769d6e185e35c7a7dd6da2456a7d6', false],
    ];
    for (const [file, length, hex, canonical] of rows) {
      it(`${file}`, () => {
        const human = run('digest', path.join(vectorsDir, file));
        assert.equal(human.status, 0, human.stderr);
        const [first, second] = human.stdout.split('\n');
        assert.equal(first, `sha256:${hex}`);
        assert.match(second!, new RegExp(`^length: ${length} `));
        const json = run('digest', path.join(vectorsDir, file), '--json');
        assert.equal(json.status, 0, json.stderr);
        const report = JSON.parse(json.stdout) as Record<string, unknown>;
        assert.equal(report['digest'], `sha256:${hex}`);
        assert.equal(report['length'], length);
        assert.equal(report['canonical'], canonical);
        const canon = spawnSync(process.execPath, [cliMain, 'canonicalize', path.join(vectorsDir, file)]);
        assert.equal(canon.status, 0);
        assert.equal(canon.stdout.length, length);
        assert.equal(createHash('sha256').update(canon.stdout).digest('hex'), hex);
      });
    }
  });

  it('digest of a thick bundle is the digest of the archive bytes', () => {
    const tgz = makeTgz([{ name: 'bundle.json', content: bundle }, { name: 'artifacts/layout/', type: '5' }]);
    const f = path.join(tmp.dir, 'b.tgz');
    writeFileSync(f, tgz);
    const r = run('digest', f, '--json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { digest: string; length: number; canonical: boolean; kind: string; bundle: { digest: string } };
    assert.equal(report.digest, `sha256:${createHash('sha256').update(tgz).digest('hex')}`);
    assert.equal(report.length, tgz.length);
    assert.equal(report.canonical, false);
    assert.equal(report.kind, 'thick');
    assert.equal(report.bundle.digest, `sha256:${createHash('sha256').update(bundle).digest('hex')}`);
  });

  it('canonicalize -o writes the canonical bytes atomically', () => {
    const out = path.join(tmp.dir, 'c.json');
    const r = run('canonicalize', path.join(vectorsDir, 'cnab-101.01.bundle.json'), '-o', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^wrote .*c\.json \(sha256:d83b4ed1.*, 1486 bytes\)/);
    assert.equal(createHash('sha256').update(readFileSync(out)).digest('hex'), 'd83b4ed17a290f357f7757bcb627d74ede4769d6e185e35c7a7dd6da2456a7d6');
    assert.equal(statSync(out).mode & 0o777, 0o644);
    const again = run('digest', out, '--json');
    assert.equal((JSON.parse(again.stdout) as { canonical: boolean }).canonical, true);
  });

  it('validate accepts the CNAB examples and lists images with --json', () => {
    const r = run('validate', path.join(cnabSpecDir, 'examples/101.02-bundle.json'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid CNAB bundle helloworld 1\.0\.0 .*1 invocation image\(s\), 1 component image\(s\)/);
    const j = JSON.parse(run('validate', path.join(cnabSpecDir, 'examples/101.02-bundle.json'), '--json').stdout) as {
      valid: boolean;
      images: Array<{ kind: string; component?: string }>;
    };
    assert.equal(j.valid, true);
    assert.deepEqual(j.images.map((i) => i.component ?? i.kind), ['invocation', 'my-microservice']);
  });

  describe('bad input: one line, its code, its exit status', () => {
    for (const cmd of ['digest', 'validate', 'canonicalize']) {
      it(`${cmd}: malformed JSON -> E_JSON_PARSE with line:column, exit 1`, () => {
        assertOneLineError(run(cmd, fx('malformed.bundle.json')), 'E_JSON_PARSE', 1, 'malformed.bundle.json at 5:3', "expected ',' or '}'");
      });
    }

    it('duplicate keys -> E_JSON_DUPLICATE_KEY naming the path, exit 1', () => {
      assertOneLineError(run('validate', fx('duplicate-key.bundle.json')), 'E_JSON_DUPLICATE_KEY', 1, '"image" at $.invocationImages[0].image', '(6:50)');
      assertOneLineError(run('digest', fx('duplicate-key.bundle.json')), 'E_JSON_DUPLICATE_KEY', 1);
    });

    it('missing required member -> E_BUNDLE_SCHEMA naming path and rule, exit 1', () => {
      assertOneLineError(run('validate', fx('missing-name.bundle.json')), 'E_BUNDLE_SCHEMA', 1, '$.name is required but missing', 'rule required at #/required');
    });

    it('wrong type -> E_BUNDLE_SCHEMA naming path and rule, exit 1', () => {
      assertOneLineError(
        run('validate', fx('wrong-type.bundle.json')),
        'E_BUNDLE_SCHEMA',
        1,
        '$.invocationImages[0].size must be integer',
        'rule type at #/definitions/invocationImage/properties/size/type',
      );
    });

    it('--json carries {"error": {code, message, subject, details}} on stdout', () => {
      const r = run('validate', fx('wrong-type.bundle.json'), '--json');
      assert.equal(r.status, 1);
      const { error } = JSON.parse(r.stdout) as { error: { code: string; subject: string; details: { path: string } } };
      assert.equal(error.code, 'E_BUNDLE_SCHEMA');
      assert.equal(error.details.path, '$.invocationImages[0].size');
      assert.ok(error.subject.endsWith('wrong-type.bundle.json'));
    });

    it('archive with a ../ entry -> E_ARCHIVE_UNSAFE, exit 1', () => {
      const f = path.join(tmp.dir, 'evil.tgz');
      writeFileSync(f, makeTgz([{ name: 'bundle.json', content: bundle }, { name: '../../etc/cron.d/x', content: 'x' }]));
      for (const cmd of ['digest', 'validate']) {
        assertOneLineError(run(cmd, f), 'E_ARCHIVE_UNSAFE', 1, '"../../etc/cron.d/x"', "'..' segment");
      }
    });

    it('archive with a symlinked bundle.json -> E_ARCHIVE_UNSAFE, exit 1', () => {
      const f = path.join(tmp.dir, 'link.tgz');
      writeFileSync(f, makeTgz([{ name: 'bundle.json', type: '2', linkname: '/etc/passwd' }]));
      assertOneLineError(run('digest', f), 'E_ARCHIVE_UNSAFE', 1, 'bundle.json in', 'is a symbolic link');
    });

    it('a file that does not exist -> E_FILE_NOT_FOUND naming it, exit 3', () => {
      for (const cmd of ['digest', 'validate', 'canonicalize']) {
        assertOneLineError(run(cmd, path.join(tmp.dir, 'nope.json')), 'E_FILE_NOT_FOUND', 3, 'nope.json');
      }
    });

    it('a missing argument is a usage error, exit 2', () => {
      const r = run('digest');
      assert.equal(r.status, 2);
      assert.match(r.stderr, /^error\[E_USAGE\]/);
    });

    it("a command's own flag check (yargs .check) is a usage error too: E_USAGE, exit 2, also with --json", () => {
      for (const args of [['tuf', 'get', 'x'], ['verify', 'x', '--metadata', 'm'], ['no-such-command']]) {
        const r = run(...args);
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /^error\[E_USAGE\]/);
      }
      const j = run('tuf', 'get', 'x', '--json');
      assert.equal(j.status, 2);
      assert.equal((JSON.parse(j.stdout) as { error: { code: string } }).error.code, 'E_USAGE');
    });

    it('canonicalize -o into a missing directory -> E_FILE_NOT_FOUND, exit 3, nothing written', () => {
      assertOneLineError(
        run('canonicalize', path.join(vectorsDir, 'cnab-101.01.bundle.json'), '-o', path.join(tmp.dir, 'no/such/dir/out.json')),
        'E_FILE_NOT_FOUND',
        3,
      );
    });
  });

  it('--help shows an example for each command', () => {
    for (const cmd of ['digest', 'canonicalize', 'validate']) {
      const r = run(cmd, '--help');
      assert.equal(r.status, 0);
      assert.match(r.stdout, new RegExp(`Examples:\\n {2}# .*\\n {2}cnab-trust ${cmd} `));
    }
  });
});
