/**
 * Number parameters through the CLI: bundles shaped as Porter,
 * cnab-to-oci and cnab-go write them validate, digest and canonicalize as RFC 8785 says; a number a double cannot
 * keep is refused, never signed rounded.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/paths.js';
import { cliMain, runCli as run, assertOneLineError } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const fx = (name: string): string => path.join(repoRoot, 'test/fixtures/cnab/numbers', name);

const withDefinitions = (definitions: string): string =>
  `{"schemaVersion":"v1.0.0","name":"n","version":"1.0.0","invocationImages":[{"image":"example/app:1.0"}],"definitions":${definitions}}`;

describe('cli: number parameters (CNAB spec after cnab-spec PR #414)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('cnab-trust-numbers-');
  });
  afterEach(() => tmp.remove());
  const file = (name: string, text: string): string => {
    const f = path.join(tmp.dir, name);
    writeFileSync(f, text);
    return f;
  };

  for (const name of ['porter-shape.bundle.json', 'cnab-to-oci-shape.bundle.json', 'cnab-go-shape.bundle.json']) {
    it(`validate, digest and canonicalize accept ${name}`, () => {
      const v = run('validate', fx(name));
      assert.equal(v.status, 0, v.stderr);
      const d = run('digest', fx(name), '--json');
      assert.equal(d.status, 0, d.stderr);
      const c = spawnSync(process.execPath, [cliMain, 'canonicalize', fx(name)]);
      assert.equal(c.status, 0, c.stderr.toString());
      const report = JSON.parse(d.stdout) as { digest: string; length: number; canonical: boolean };
      assert.equal(report.digest, `sha256:${createHash('sha256').update(c.stdout).digest('hex')}`);
      assert.equal(report.length, c.stdout.length);
      // cnab-go's marshalled form is already canonical
      assert.equal(report.canonical, name === 'cnab-go-shape.bundle.json');
    });
  }

  it('canonicalizes non-integer numbers as RFC 8785 writes them', () => {
    const f = file('b.json', withDefinitions('{"x":{"type":"number","default":5.50,"maximum":1E21,"minimum":-0,"multipleOf":1E-7,"examples":[2.5e-3,1e300,0.000001,123456789012345680000]}}'));
    const c = spawnSync(process.execPath, [cliMain, 'canonicalize', f], { encoding: 'utf8' });
    assert.equal(c.status, 0, c.stderr);
    assert.ok(
      c.stdout.includes('"definitions":{"x":{"default":5.5,"examples":[0.0025,1e+300,0.000001,123456789012345680000],"maximum":1e+21,"minimum":0,"multipleOf":1e-7,"type":"number"}}'),
      c.stdout,
    );
  });

  it('refuses a big integer beyond 2^53 instead of signing it rounded (9007199254740993 is not ...992)', () => {
    const f = file('big.json', withDefinitions('{"id":{"type":"integer","default":9007199254740993}}'));
    for (const cmd of ['validate', 'digest', 'canonicalize']) {
      assertOneLineError(run(cmd, f), 'E_JSON_NUMBER_PRECISION', 1, 'number 9007199254740993 at $.definitions.id.default', 'it is 9007199254740992');
    }
    const j = run('digest', f, '--json');
    const err = (JSON.parse(j.stdout) as { error: { code: string; hint: string; details: { canonical: string } } }).error;
    assert.equal(err.code, 'E_JSON_NUMBER_PRECISION');
    assert.equal(err.details.canonical, '9007199254740992');
    // 2^53 itself is a double: kept
    const ok = run('canonicalize', file('2p53.json', withDefinitions('{"id":{"type":"integer","default":9007199254740992}}')));
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(ok.stdout.includes('"default":9007199254740992'));
  });

  it('refuses numbers in custom and in underflow the same way', () => {
    const custom = file('custom.json', '{"schemaVersion":"v1.0.0","name":"n","version":"1.0.0","invocationImages":[{"image":"a"}],"custom":{"x":{"big":-18446744073709551615}}}');
    assertOneLineError(run('digest', custom), 'E_JSON_NUMBER_PRECISION', 1, '$.custom.x.big');
    assertOneLineError(run('digest', file('tiny.json', withDefinitions('{"t":{"default":1e-400}}'))), 'E_JSON_NUMBER_PRECISION', 1, 'it is 0');
  });

  it('keeps the old refusals: beyond a double, NaN, Infinity (E_JSON_PARSE)', () => {
    assertOneLineError(run('validate', file('huge.json', withDefinitions('{"t":{"maximum":1e309}}'))), 'E_JSON_PARSE', 1, 'out of the range of a double');
    assertOneLineError(run('validate', file('nan.json', withDefinitions('{"t":{"maximum":NaN}}'))), 'E_JSON_PARSE', 1, 'expected a JSON value');
    assertOneLineError(run('validate', file('inf.json', withDefinitions('{"t":{"maximum":Infinity}}'))), 'E_JSON_PARSE', 1, 'expected a JSON value');
    assertOneLineError(run('validate', file('ninf.json', withDefinitions('{"t":{"maximum":-Infinity}}'))), 'E_JSON_PARSE', 1, 'expected a digit');
  });

  it('checks definitions against JSON Schema draft-07, with formats asserted (our stricter DEFINITION_FORMATS)', () => {
    assertOneLineError(run('validate', file('t.json', withDefinitions('{"t":{"type":"float"}}'))), 'E_BUNDLE_SCHEMA', 1, '$.definitions.t.type');
    assertOneLineError(run('validate', file('l.json', withDefinitions('{"t":{"maxLength":2.5}}'))), 'E_BUNDLE_SCHEMA', 1, '$.definitions.t.maxLength must be integer');
    assertOneLineError(run('validate', file('p.json', withDefinitions('{"t":{"type":"string","pattern":"("}}'))), 'E_BUNDLE_SCHEMA', 1, '$.definitions.t.pattern must match format "regex"');
    const nested = file('n.json', withDefinitions('{"t":{"type":"object","properties":{"a":{"pattern":"[z-a]"}}}}'));
    assertOneLineError(run('validate', nested), 'E_BUNDLE_SCHEMA', 1, '$.definitions.t.properties.a.pattern');
  });

  it('the fixtures are what their README says (no file copied: own shapes)', () => {
    const readme = readFileSync(fx('README.md'), 'utf8');
    for (const n of ['porter-shape', 'cnab-to-oci-shape', 'cnab-go-shape']) assert.ok(readme.includes(`${n}.bundle.json`), n);
  });
});
