/**
 * TAP 4: `tuf get --map` resolves a target across two repositories with different roots (one served over HTTP by
 * `serve`, one a directory): agreement, disagreement, a terminating mapping, a non-terminating fallback, mirrors.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { TufTestRepo } from '../../helpers/tuf-repo.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { startRepositoryServer, type RunningServer } from '../../../src/adapters/http/repository-server.js';
import { getMappedTarget, downloadMappedTarget } from '../../../src/adapters/tuf/map-client.js';
import { parseMapFile } from '../../../src/core/tuf/tap4-map.js';
import { CnabTrustError } from '../../../src/core/errors.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const cli = path.join(repoRoot, 'dist/src/cli/main.js');

describe('tuf get --map: TAP 4 multiple repository consensus', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let server: RunningServer;
  let a: TufTestRepo;
  let b: TufTestRepo;
  let rootsDir: string;
  const gun = 'example.com/example-org/example-bundle';
  const same = `${gun}:1.0.0`; // both sign the same bytes
  const differs = `${gun}:2.0.0`; // they sign different bytes
  const onlyB = `${gun}:3.0.0`; // only B signs it
  const bytes = Buffer.from('{"name":"example-bundle","version":"1.0.0"}');

  before(async () => {
    tmp = makeTempDir();
    a = new TufTestRepo(path.join(tmp.dir, 'a'), { gun });
    b = new TufTestRepo(path.join(tmp.dir, 'b'), { gun });
    a.addTarget(same, bytes, { signer: 'A' });
    b.addTarget(same, bytes, { signer: 'B' }); // custom differs: exempt from the comparison
    a.addTarget(differs, Buffer.from('version two from A'));
    b.addTarget(differs, Buffer.from('version two from B'));
    b.addTarget(onlyB, Buffer.from('three'));
    for (const r of [a, b]) {
      r.writeRoot();
      r.publish();
    }
    rootsDir = path.join(tmp.dir, 'roots');
    mkdirSync(rootsDir);
    writeFileSync(path.join(rootsDir, 'A.root.json'), a.trustedRoot(1));
    writeFileSync(path.join(rootsDir, 'B.root.json'), b.trustedRoot(1));
    server = await startRepositoryServer({ dir: a.dir });
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  const both = (threshold: number, terminating: boolean) =>
    parseMapFile({
      repositories: { A: [server.url], B: [b.dir] },
      mapping: [
        { paths: [`${gun}:*`], repositories: ['A', 'B'], threshold, terminating },
        { paths: ['*'], repositories: ['B'], threshold: 1, terminating: true },
      ],
    });
  const opts = (map: ReturnType<typeof both>) => ({ map, trustedRootsDir: rootsDir, http: { retries: 0 } });

  it('two repositories that agree (threshold 2): the target, signed alike by both', async () => {
    const found = await getMappedTarget(same, opts(both(2, true)));
    assert.deepEqual(found.repositories, ['A', 'B']);
    assert.equal(found.mapping, 0);
    assert.equal(found.target.length, bytes.length);
    assert.deepEqual(found.target.custom, { signer: 'A' });
    const got = await downloadMappedTarget(same, opts(both(2, true)));
    assert.deepEqual(got.bytes, bytes);
  });

  it('two repositories that disagree: E_TUF_CONSENSUS naming the target', async () => {
    await assert.rejects(getMappedTarget(differs, opts(both(2, true))), (e: unknown) => {
      assert.ok(e instanceof CnabTrustError);
      assert.equal(e.code, 'E_TUF_CONSENSUS');
      assert.equal(e.subject, differs);
      assert.match(e.message, /A vs B/);
      return true;
    });
  });

  it('threshold 1 takes the first repository that signs', async () => {
    const found = await getMappedTarget(differs, opts(both(1, true)));
    assert.deepEqual(found.repositories, ['A']);
  });

  it('a terminating mapping ends the search: B alone does not count where A and B must agree', async () => {
    await assert.rejects(getMappedTarget(onlyB, opts(both(2, true))), (e: unknown) => {
      assert.ok(e instanceof CnabTrustError);
      assert.equal(e.code, 'E_TUF_CONSENSUS');
      assert.match(e.message, /only 1 of the 2/);
      return true;
    });
  });

  it('a non-terminating mapping falls through to the next matching one', async () => {
    const found = await getMappedTarget(onlyB, opts(both(2, false)));
    assert.deepEqual([found.repositories, found.mapping], [['B'], 1]);
  });

  it('tries the mirrors of a repository in order', async () => {
    const map = parseMapFile({
      repositories: { A: ['http://127.0.0.1:9/', server.url], B: [b.dir] },
      mapping: [{ paths: ['*'], repositories: ['A', 'B'], threshold: 2, terminating: true }],
    });
    assert.deepEqual((await getMappedTarget(same, opts(map))).repositories, ['A', 'B']);
  });

  it('a repository failing verification does not vouch (its root is not B\'s)', async () => {
    const wrongRoots = path.join(tmp.dir, 'wrong-roots');
    mkdirSync(wrongRoots);
    writeFileSync(path.join(wrongRoots, 'A.root.json'), b.trustedRoot(1)); // A checked against B's root
    writeFileSync(path.join(wrongRoots, 'B.root.json'), b.trustedRoot(1));
    await assert.rejects(getMappedTarget(same, { ...opts(both(2, true)), trustedRootsDir: wrongRoots }), (e: unknown) => {
      assert.ok(e instanceof CnabTrustError);
      assert.equal(e.code, 'E_TUF_CONSENSUS');
      assert.match(e.message, /A: E_TUF_SIGNATURE/);
      return true;
    });
  });

  it('cnab-trust tuf get --map --trusted-roots --json', async () => {
    const mapFile = path.join(tmp.dir, 'map.json');
    writeFileSync(
      mapFile,
      JSON.stringify({ repositories: { A: [server.url], B: [b.dir] }, mapping: [{ paths: ['*'], repositories: ['A', 'B'], threshold: 2, terminating: true }] }),
    );
    const out = path.join(tmp.dir, 'out');
    const { stdout } = await run('node', [cli, 'tuf', 'get', same, '--map', mapFile, '--trusted-roots', rootsDir, '--download', out, '--json']);
    const report = JSON.parse(stdout) as { target: { name: string }; repositories: string[]; mapping: number; path: string };
    assert.deepEqual([report.target.name, report.repositories, report.mapping], [same, ['A', 'B'], 0]);
    assert.deepEqual(readFileSync(report.path), bytes);
    const err = await run('node', [cli, 'tuf', 'get', differs, '--map', mapFile, '--trusted-roots', rootsDir, '--json']).then(
      () => assert.fail('must fail'),
      (e: { code: number; stdout: string }) => e,
    );
    assert.equal(err.code, 1);
    assert.equal((JSON.parse(err.stdout) as { error: { code: string } }).error.code, 'E_TUF_CONSENSUS');
  });
});
