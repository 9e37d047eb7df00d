/**
 * Threshold and offline signing (staged changes, the two-person root change), rotation of every role's keys,
 * revocation of a delegated key and refresh of the online roles — each repository consumed by the tuf-js client
 * starting from root v1, and the failing paths (revoked key, threshold not met, stale online roles).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { rejectsCode } from '../../helpers/assert.js';
import { initRepository } from '../../../src/workflows/tuf/init.js';
import { signBundle } from '../../../src/workflows/tuf/sign.js';
import { repositoryStatus } from '../../../src/workflows/tuf/status.js';
import {
  changeRoleKeys,
  discardStagedChange,
  exportStaged,
  importStaged,
  publishStagedChange,
  refreshOnline,
  signStaged,
} from '../../../src/workflows/tuf/metadata.js';
import { LoadedRepository, openRepository } from '../../../src/adapters/tuf-repo/repository.js';
import { FileKeyStore } from '../../../src/adapters/keystore/file-keystore.js';
import { signMetadata, topLevelRoleKeys } from '../../../src/core/tuf/signing.js';
import { metadataBytes } from '../../../src/core/tuf/metadata-files.js';
import { metaFileFor, nextSnapshot, nextTimestamp, targetFile, withTargets } from '../../../src/core/tuf/transitions.js';
import { GUN, clientGet, pinnedBundle } from './helpers.js';

const DAY = 24 * 3600 * 1000;

describe('TUF repository: threshold signing, rotation, revocation, refresh', function () {
  this.timeout(60000);
  let tmp: ReturnType<typeof makeTempDir>;
  let d: { metadataDir: string; keysDir: string };
  beforeEach(() => {
    tmp = makeTempDir('cnab-trust-tufrot-');
    d = { metadataDir: path.join(tmp.dir, 'metadata'), keysDir: path.join(tmp.dir, 'keys') };
  });
  afterEach(() => tmp.remove());

  /** Move the private key files of `keyids` out of the key store into `dir` (another person's machine). */
  function moveKeys(keyids: string[], dir: string): string[] {
    mkdirSync(dir, { recursive: true });
    return keyids.map((id) => {
      const to = path.join(dir, `${id}.key`);
      renameSync(path.join(d.keysDir, `${id}.key`), to);
      return to;
    });
  }

  it('two-person root change: staged with one root signature, completed on another machine, then published', async () => {
    const init = await initRepository({ ...d, gun: GUN, keyCounts: { root: 2 }, thresholds: { root: 2 } });
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` });
    const rootKeys = init.roles.find((r) => r.role === 'root')!.keyids;
    const [bobKey] = moveKeys([rootKeys[1]!], path.join(tmp.dir, 'bob'));
    // Alice rotates the timestamp key: root v2 needs 2 signatures of root v1 and 2 of root v2; she has one.
    const e = await rejectsCode(changeRoleKeys({ ...d, role: 'timestamp', replaceAll: true }), 'E_TUF_STAGED');
    assert.match(e.message, /root has 1\/2 signatures/);
    assert.ok(!existsSync(path.join(d.metadataDir, '2.root.json')), 'nothing published');
    const status = await repositoryStatus(d);
    assert.equal(status.staged?.description, 'rotate keys of timestamp');
    await rejectsCode(publishStagedChange(d), 'E_TUF_THRESHOLD');
    // Another change must wait for this one.
    await rejectsCode(signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.1` }), 'E_TUF_STAGED');
    // Export, Bob signs the file with his key (no repository on his machine), Alice imports it.
    const file = path.join(tmp.dir, 'change.json');
    await exportStaged({ ...d, out: file });
    const bob = await signStaged({ keysDir: path.join(tmp.dir, 'bob'), stagedFile: file, role: 'root', keyFile: bobKey! });
    assert.equal(bob.published, false);
    const imported = await importStaged({ ...d, file });
    assert.equal(imported.published, true);
    assert.equal(imported.versions.root, 2);
    const root2 = JSON.parse(readFileSync(path.join(d.metadataDir, '2.root.json'), 'utf8'));
    assert.deepEqual(root2.signatures.map((s: { keyid: string }) => s.keyid).sort(), [...rootKeys].sort());
    assert.deepEqual(readFileSync(path.join(d.metadataDir, 'root.json')), readFileSync(path.join(d.metadataDir, '2.root.json')));
    // A client that trusts root v1 walks to v2 and accepts the new timestamp key.
    assert.equal((await clientGet(d.metadataDir, `${GUN}:1.0.0`)).custom.name, 'helloworld');
    assert.equal((await repositoryStatus(d)).staged, undefined);
  });

  it('metadata sign on the repository publishes when the last signature arrives; a foreign key is refused', async () => {
    const init = await initRepository({ ...d, gun: GUN, keyCounts: { 'targets/releases': 2 }, thresholds: { 'targets/releases': 2 } });
    const rel = init.roles.find((r) => r.role === 'targets/releases')!.keyids;
    const [second] = moveKeys([rel[1]!], path.join(tmp.dir, 'carol'));
    await rejectsCode(signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` }), 'E_TUF_STAGED');
    // Threshold not met: the client does not see the bundle.
    await rejectsCode(clientGet(d.metadataDir, `${GUN}:1.0.0`), 'E_TUF_TARGET_NOT_FOUND');
    const rootKey = path.join(d.keysDir, `${init.roles.find((r) => r.role === 'root')!.keyids[0]}.key`);
    await rejectsCode(signStaged({ ...d, role: 'targets/releases', keyFile: rootKey }), 'E_USAGE');
    const r = await signStaged({ ...d, role: 'targets/releases', keyFile: second! });
    assert.equal(r.published, true);
    assert.equal((await clientGet(d.metadataDir, `${GUN}:1.0.0`)).custom.version, '0.1.1');
  });

  it('discard drops a staged change', async () => {
    await initRepository({ ...d, gun: GUN, keyCounts: { root: 2 }, thresholds: { root: 2 } });
    const root = (await repositoryStatus(d)).roles.find((r) => r.role === 'root')!;
    moveKeys([root.keyids[0]!], path.join(tmp.dir, 'away'));
    await rejectsCode(changeRoleKeys({ ...d, role: 'snapshot', replaceAll: true }), 'E_TUF_STAGED');
    await discardStagedChange(d);
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` });
  });

  for (const role of ['root', 'targets', 'snapshot', 'timestamp', 'targets/releases']) {
    it(`rotating ${role}: the client from root v1 accepts the repository`, async () => {
      await initRepository({ ...d, gun: GUN });
      await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` });
      const before = (await repositoryStatus(d)).roles.find((r) => r.role === role)!.keyids;
      const r = await changeRoleKeys({ ...d, role, replaceAll: true });
      assert.equal(r.published, true);
      const after = (await repositoryStatus(d)).roles.find((x) => x.role === role)!.keyids;
      assert.equal(after.length, 1);
      assert.notDeepEqual(after, before);
      await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.1` });
      assert.equal((await clientGet(d.metadataDir, `${GUN}:1.0.1`)).custom.name, 'helloworld');
      if (role === 'root') {
        await changeRoleKeys({ ...d, role, replaceAll: true });
        assert.ok(existsSync(path.join(d.metadataDir, '3.root.json')));
        assert.equal((await clientGet(d.metadataDir, `${GUN}:1.0.0`)).length > 0, true);
      }
    });
  }

  it('a revoked delegated key: the client refuses targets/releases signed with it', async () => {
    const init = await initRepository({ ...d, gun: GUN });
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` });
    const revoked = init.roles.find((r) => r.role === 'targets/releases')!.keyids[0]!;
    await rejectsCode(changeRoleKeys({ ...d, role: 'targets/releases', removeKeyIds: [revoked] }), 'E_USAGE');
    const r = await changeRoleKeys({ ...d, role: 'targets/releases', removeKeyIds: [revoked], generate: 1 });
    assert.deepEqual(r.removed, [revoked]);
    assert.equal((await clientGet(d.metadataDir, `${GUN}:1.0.0`)).custom.name, 'helloworld');

    // An attacker holding the revoked key (and the online keys) publishes a release signed with it.
    const ctx = await openRepository(d);
    const repo = await LoadedRepository.load(ctx.store);
    const evil = withTargets(await repo.targetsRole('targets/releases'), [targetFile(`${GUN}:evil`, Buffer.from('evil'))], ctx.now, 30);
    await signMetadata(evil, await new FileKeyStore(d.keysDir).signersFor([revoked]));
    const evilBytes = metadataBytes(evil);
    const snap = nextSnapshot(repo.snapshot, new Map([['targets/releases', metaFileFor(evil.signed.version, evilBytes)]]), ctx.now, 1);
    await signMetadata(snap, await ctx.keys.signersFor(topLevelRoleKeys(repo.root, 'snapshot')!.keyids));
    const ts = nextTimestamp(repo.timestamp, snap.signed.version, metadataBytes(snap), ctx.now, 1);
    await signMetadata(ts, await ctx.keys.signersFor(topLevelRoleKeys(repo.root, 'timestamp')!.keyids));
    await ctx.store.publish({
      targetsRoles: [{ role: 'targets/releases', version: evil.signed.version, bytes: evilBytes }],
      snapshot: { version: snap.signed.version, bytes: metadataBytes(snap) },
      timestamp: metadataBytes(ts),
    });
    const e = await rejectsCode(clientGet(d.metadataDir, `${GUN}:evil`), 'E_TUF_SIGNATURE');
    assert.equal(e.subject, 'targets/releases');
  });

  it('refresh renews snapshot and timestamp (also while a change is staged); without it they go stale', async () => {
    const t0 = Date.now();
    await initRepository({ ...d, gun: GUN, keyCounts: { root: 2 }, thresholds: { root: 2 } });
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` });
    const later = new Date(t0 + 1.5 * DAY);
    await rejectsCode(clientGet(d.metadataDir, `${GUN}:1.0.0`, later), 'E_TUF_EXPIRED');
    const root = (await repositoryStatus(d)).roles.find((r) => r.role === 'root')!;
    moveKeys([root.keyids[0]!], path.join(tmp.dir, 'away'));
    await rejectsCode(changeRoleKeys({ ...d, role: 'targets', replaceAll: true }), 'E_TUF_STAGED');
    const r = await refreshOnline({ ...d, now: new Date(t0 + DAY) });
    assert.deepEqual(Object.keys(r.versions).sort(), ['snapshot', 'timestamp']);
    assert.equal((await clientGet(d.metadataDir, `${GUN}:1.0.0`, later)).custom.name, 'helloworld');
    assert.ok(readdirSync(d.metadataDir).includes('3.snapshot.json'));
  });
});
