/**
 * TAP 15 hashed bins (`init --bins`): the client finds bundles through targets/releases' succinct delegation, a sign
 * rewrites one bin plus snapshot and timestamp; the write order and atomicity of a publication; expiry of a
 * delegated role; the README's two-person root change through the CLI.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { rejectsCode } from '../../helpers/assert.js';
import { repoRoot } from '../../helpers/paths.js';
import { initRepository } from '../../../src/workflows/tuf/init.js';
import { signBundle } from '../../../src/workflows/tuf/sign.js';
import { FLAT_TARGETS_WARNING, repositoryStatus } from '../../../src/workflows/tuf/status.js';
import { listBundles } from '../../../src/adapters/tuf-repo/bundle-list.js';
import { commitChange, LoadedRepository, openRepository, withLock } from '../../../src/adapters/tuf-repo/repository.js';
import { targetFile, withTargets } from '../../../src/core/tuf/transitions.js';
import { changeRoleKeys, rebinReleases, refreshOnline } from '../../../src/workflows/tuf/metadata.js';
import { DirRepositoryStore } from '../../../src/adapters/tuf-repo/dir-store.js';
import { GUN, clientGet, pinnedBundle } from './helpers.js';

const run = promisify(execFile);
const cli = path.join(repoRoot, 'dist/src/cli/main.js');
const DAY = 24 * 3600 * 1000;

function filesUnder(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(dir, path.join(rel, e.name)) : [path.join(rel, e.name)],
  );
}

describe('TUF repository: hashed bins, write order, delegated expiry, CLI walkthrough', function () {
  this.timeout(60000);
  let tmp: ReturnType<typeof makeTempDir>;
  let d: { metadataDir: string; keysDir: string };
  beforeEach(() => {
    tmp = makeTempDir('cnab-trust-tufbins-');
    d = { metadataDir: path.join(tmp.dir, 'metadata'), keysDir: path.join(tmp.dir, 'keys') };
  });
  afterEach(() => tmp.remove());

  it('--bins 16: bundles land in bins the client finds; one sign writes one bin + snapshot + timestamp', async () => {
    await initRepository({ ...d, gun: GUN, bins: 16 });
    assert.equal(readdirSync(path.join(d.metadataDir, '1.targets/releases')).length, 16);
    const before = new Set(filesUnder(d.metadataDir));
    const r = await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` });
    assert.match(r.role, /^targets\/releases\/bins-[0-9a-f]$/);
    const added = filesUnder(d.metadataDir).filter((f) => !before.has(f) && !f.startsWith('.cnab-trust'));
    const bin = r.role.slice('targets/releases/'.length);
    assert.deepEqual(added.sort(), [`2.snapshot.json`, `2.targets/releases/${bin}.json`, path.join('targets/example.com/example-org', `${r.target.hashes.sha256}.example-bundle:1.0.0`)].sort());
    assert.equal(r.written.files, 4, 'target file, bin, snapshot, timestamp');
    assert.equal((await clientGet(d.metadataDir, `${GUN}:1.0.0`)).custom.name, 'helloworld');
    for (let i = 1; i <= 5; i++) await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.${i}` });
    assert.deepEqual((await listBundles(d)).targets.map((t) => t.tag), ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5']);
    const s = await repositoryStatus(d);
    assert.deepEqual(s.bins, { count: 16, namePrefix: 'targets/releases/bins' });
    assert.equal(s.roles.filter((x) => x.role.startsWith('targets/releases/bins-')).length, 16);
    // Rotating targets/releases re-signs every bin with the new key; the client still finds every bundle.
    await changeRoleKeys({ ...d, role: 'targets/releases', replaceAll: true });
    for (const tag of ['1.0.0', '1.0.5']) assert.equal((await clientGet(d.metadataDir, `${GUN}:${tag}`)).custom.name, 'helloworld');
  });

  it('metadata rebin moves a flat targets/releases into bins; the client still finds every bundle', async () => {
    await initRepository({ ...d, gun: GUN });
    for (let i = 0; i < 4; i++) await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.${i}` });
    // Grow it past the size where status suggests bins (metadata written directly, as the bench does).
    const ctx = await openRepository(d);
    await withLock(ctx, async () => {
      const repo = await LoadedRepository.load(ctx.store);
      const many = Array.from({ length: FLAT_TARGETS_WARNING }, (_, i) => targetFile(`${GUN}:seed-${i}`, Buffer.from(String(i))));
      const rel = withTargets(await repo.targetsRole('targets/releases'), many, ctx.now, 30);
      await commitChange(ctx, repo, { description: 'seed', targetsRoles: new Map([['targets/releases', rel]]), targetFiles: [] });
    });
    assert.ok((await repositoryStatus(d)).warnings.some((w) => w.includes('metadata rebin')));
    const r = await rebinReleases({ ...d, bins: 8 });
    assert.equal(r.published, true);
    assert.equal(r.targets, 4 + FLAT_TARGETS_WARNING);
    assert.ok(!(await repositoryStatus(d)).warnings.some((w) => w.includes('metadata rebin')));
    assert.equal(Object.keys(r.versions).filter((k) => k.startsWith('targets/releases/bins-')).length, 8);
    for (let i = 0; i < 4; i++) assert.equal((await clientGet(d.metadataDir, `${GUN}:1.0.${i}`)).custom.name, 'helloworld');
    const next = await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:2.0.0` });
    assert.match(next.role, /^targets\/releases\/bins-[0-7]$/);
    assert.equal((await clientGet(d.metadataDir, `${GUN}:2.0.0`)).length > 0, true);
    assert.deepEqual((await repositoryStatus(d)).bins, { count: 8, namePrefix: 'targets/releases/bins' });
    await rejectsCode(rebinReleases({ ...d, bins: 8 }), 'E_USAGE');
  });

  it('a publication that fails halfway leaves the published timestamp naming files that exist, and no temp files', async () => {
    await initRepository({ ...d, gun: GUN });
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` });
    const ts = readFileSync(path.join(d.metadataDir, 'timestamp.json'));
    // Make the next snapshot file impossible to write (a directory in its place).
    mkdirSync(path.join(d.metadataDir, '3.snapshot.json'));
    await assert.rejects(signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.1` }));
    assert.deepEqual(readFileSync(path.join(d.metadataDir, 'timestamp.json')), ts, 'timestamp untouched');
    assert.ok(!existsSync(path.join(d.metadataDir, '.cnab-trust/lock')), 'lock released');
    assert.deepEqual(filesUnder(d.metadataDir).filter((f) => f.endsWith('.tmp')), []);
    assert.equal((await clientGet(d.metadataDir, `${GUN}:1.0.0`)).custom.name, 'helloworld');
    await rejectsCode(clientGet(d.metadataDir, `${GUN}:1.0.1`), 'E_TUF_TARGET_NOT_FOUND');
  });

  it('publishes in the order target files, roles, snapshot, timestamp, root', async () => {
    const order: string[] = [];
    class Recording extends DirRepositoryStore {
      protected override async writeRepositoryFile(rel: string, bytes: Uint8Array | string): Promise<void> {
        order.push(rel);
        await super.writeRepositoryFile(rel, bytes);
      }
    }
    await new Recording(path.join(tmp.dir, 'm')).publish({
      root: { version: 1, bytes: Buffer.from('r') },
      timestamp: Buffer.from('t'),
      snapshot: { version: 1, bytes: Buffer.from('s') },
      targetsRoles: [{ role: 'targets/releases', version: 1, bytes: Buffer.from('x') }],
      targetFiles: [{ name: `${GUN}:1`, sha256: 'ab', bytes: Buffer.from('b') }],
    });
    assert.deepEqual(order, [
      'targets/example.com/example-org/ab.example-bundle:1',
      '1.targets/releases.json',
      '1.snapshot.json',
      'timestamp.json',
      '1.root.json',
      'root.json',
    ]);
  });

  it('an expired targets/releases is refused by the client, naming the role', async () => {
    const now = new Date();
    await initRepository({ ...d, gun: GUN, now, expiryDays: { 'targets/releases': 0.5, snapshot: 3, timestamp: 3 } });
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0`, now });
    const e = await rejectsCode(clientGet(d.metadataDir, `${GUN}:1.0.0`, new Date(now.getTime() + 0.75 * DAY)), 'E_TUF_EXPIRED');
    assert.equal(e.subject, 'targets/releases');
  });

  it('refresh --role targets/releases renews it and its bins before they expire', async () => {
    const now = new Date();
    await initRepository({ ...d, gun: GUN, now, bins: 4, expiryDays: { 'targets/releases': 0.5, snapshot: 3, timestamp: 3 } });
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0`, now });
    const later = new Date(now.getTime() + 0.75 * DAY);
    await rejectsCode(clientGet(d.metadataDir, `${GUN}:1.0.0`, later), 'E_TUF_EXPIRED');
    const r = await refreshOnline({ ...d, now: new Date(now.getTime() + 0.4 * DAY), roles: ['targets/releases'] });
    assert.equal(Object.keys(r.versions).filter((k) => k.startsWith('targets/releases')).length, 5);
    assert.equal((await clientGet(d.metadataDir, `${GUN}:1.0.0`, later)).custom.name, 'helloworld');
    await rejectsCode(refreshOnline({ ...d, roles: ['targets/other'] }), 'E_USAGE');
  });

  it('CLI: the two-person root change of the README', async () => {
    const m = ['--metadata', d.metadataDir, '--keys', d.keysDir];
    const init = JSON.parse((await run(process.execPath, [cli, 'init', '--gun', GUN, '--root-keys', '2', '--root-threshold', '2', '--bins', '4', ...m, '--json'])).stdout);
    const bobKeyId = init.roles.find((r: { role: string }) => r.role === 'root').keyids[1];
    mkdirSync(path.join(tmp.dir, 'bob'));
    const bobKey = path.join(tmp.dir, 'bob', `${bobKeyId}.key`);
    renameSync(path.join(d.keysDir, `${bobKeyId}.key`), bobKey);
    const staged = await run(process.execPath, [cli, 'metadata', 'rotate', '--role', 'timestamp', ...m, '--json']).then(
      () => assert.fail('published without Bob'),
      (e: { code: number; stdout: string }) => e,
    );
    assert.equal(staged.code, 1);
    assert.equal(JSON.parse(staged.stdout).error.code, 'E_TUF_STAGED');
    const st = await run(process.execPath, [cli, 'status', ...m]);
    assert.match(st.stdout, /staged: rotate keys of timestamp/);
    const file = path.join(tmp.dir, 'change.json');
    await run(process.execPath, [cli, 'metadata', 'export-staged', '--out', file, ...m]);
    await run(process.execPath, [cli, 'metadata', 'sign', '--staged', file, '--role', 'root', '--key', bobKey, '--keys', path.join(tmp.dir, 'bob')]);
    const imp = JSON.parse((await run(process.execPath, [cli, 'metadata', 'import', file, ...m, '--json'])).stdout);
    assert.equal(imp.published, true);
    assert.equal(imp.versions.root, 2);
    await run(process.execPath, [cli, 'sign', pinnedBundle(tmp.dir), '--ref', `${GUN}:1.0.0`, ...m]);
    const refreshed = JSON.parse((await run(process.execPath, [cli, 'metadata', 'refresh', ...m, '--json'])).stdout);
    assert.deepEqual(Object.keys(refreshed.versions).sort(), ['snapshot', 'timestamp']);
    assert.equal((await clientGet(d.metadataDir, `${GUN}:1.0.0`)).custom.name, 'helloworld');
  });
});
