import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { Key } from '@tufjs/models';
import { SslibSigner } from '../../../src/core/crypto/sslib-signer.js';
import { sslibPublicKeyOf } from '../../../src/core/crypto/keys.js';
import type { Signer } from '../../../src/core/crypto/signer.js';
import { asTufSigner, toTufKey, tufKeyId } from '../../../src/core/tuf/keys.js';
import { RELEASES } from '../../../src/core/tuf/naming.js';
import { meetsThreshold, signMetadata, topLevelRoleKeys, delegatedRoleKeys, validSignatureKeyIds } from '../../../src/core/tuf/signing.js';
import {
  emptySnapshot,
  emptyTimestamp,
  initialRepository,
  metaFileFor,
  nextSnapshot,
  nextTimestamp,
  releasesRoleFor,
  rootWithRoleKeys,
  targetFile,
  targetsWithDelegatedKeys,
  withTargets,
  withoutTargets,
} from '../../../src/core/tuf/transitions.js';
import { metadataBytes } from '../../../src/core/tuf/metadata-files.js';
import { throwsCode } from '../../helpers/assert.js';

function newSigner(): { signer: Signer; key: Key } {
  const privateKey = generateKeyPairSync('ed25519').privateKey;
  const signer = asTufSigner(new SslibSigner(sslibPublicKeyOf(privateKey, 'k'), privateKey));
  return { signer, key: toTufKey(signer.publicKey) };
}

const now = new Date('2026-06-01T00:00:00Z');
const gun = 'example.com/org/app';

function setup(bins?: number) {
  const s = { root: newSigner(), root2: newSigner(), targets: newSigner(), snapshot: newSigner(), timestamp: newSigner(), releases: newSigner() };
  const repo = initialRepository({
    gun,
    now,
    days: () => 30,
    roles: {
      root: { keys: [s.root.key, s.root2.key], threshold: 2 },
      targets: { keys: [s.targets.key], threshold: 1 },
      snapshot: { keys: [s.snapshot.key], threshold: 1 },
      timestamp: { keys: [s.timestamp.key], threshold: 1 },
      'targets/releases': { keys: [s.releases.key], threshold: 1 },
    },
    ...(bins === undefined ? {} : { bins }),
    releasesPaths: [`${gun}:*`],
  });
  return { s, repo };
}

describe('core/tuf/transitions', () => {
  it('keyids are SHA-256 of the canonical TUF key (no keyid_hash_algorithms)', () => {
    const { signer } = newSigner();
    assert.equal(signer.keyid, tufKeyId(signer.publicKey));
    assert.equal(signer.publicKey.keyid_hash_algorithms, undefined);
  });

  it('init: root v1 with consistent snapshots, spec 1.0.31, the targets/releases delegation', () => {
    const { repo, s } = setup();
    assert.equal(repo.root.signed.version, 1);
    assert.equal(repo.root.signed.consistentSnapshot, true);
    assert.equal(repo.root.signed.specVersion, '1.0.31');
    assert.equal(repo.root.signed.roles.root!.threshold, 2);
    const targets = repo.targetsRoles.get('targets')!;
    const d = targets.signed.delegations!.roles![RELEASES]!;
    assert.deepEqual(d.paths, [`${gun}:*`]);
    assert.deepEqual(d.keyIDs, [s.releases.key.keyID]);
    assert.match(repo.root.signed.expires, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('signs with the async signer; thresholds count distinct valid keys only', async () => {
    const { repo, s } = setup();
    const rk = topLevelRoleKeys(repo.root, 'root')!;
    await signMetadata(repo.root, [s.root.signer]);
    assert.equal(meetsThreshold(repo.root, rk), false);
    await signMetadata(repo.root, [s.targets.signer]); // not a root key
    assert.deepEqual(validSignatureKeyIds(repo.root, rk), [s.root.key.keyID]);
    await signMetadata(repo.root, [s.root2.signer]);
    assert.equal(meetsThreshold(repo.root, rk), true);
    // a tampered signature does not count
    const sig = repo.root.signatures[s.root2.key.keyID]!;
    repo.root.signatures[s.root2.key.keyID] = { ...sig, sig: sig.sig.replace(/^./, (c) => (c === '0' ? '1' : '0')) } as typeof sig;
    assert.equal(meetsThreshold(repo.root, rk), false);
  });

  it('adding a target bumps the version, renews expiry, keeps other targets', () => {
    const { repo } = setup();
    const rel = repo.targetsRoles.get(RELEASES)!;
    const a = withTargets(rel, [targetFile(`${gun}:1`, Buffer.from('a'), { name: 'x' })], now, 30);
    const b = withTargets(a, [targetFile(`${gun}:2`, Buffer.from('b'))], new Date(now.getTime() + 1000), 30);
    assert.equal(b.signed.version, 3);
    assert.deepEqual(Object.keys(b.signed.targets).sort(), [`${gun}:1`, `${gun}:2`]);
    assert.deepEqual(b.signed.targets[`${gun}:1`]!.custom, { name: 'x' });
    assert.equal(Object.keys(rel.signed.targets).length, 0, 'the old version is untouched');
    const c = withoutTargets(b, [`${gun}:1`], now, 30);
    assert.deepEqual(Object.keys(c.signed.targets), [`${gun}:2`]);
    throwsCode(() => withoutTargets(c, ['nope'], now, 30), 'E_TUF_TARGET_NOT_FOUND');
  });

  it('snapshot and timestamp name the new versions; a version that does not grow is refused', () => {
    const { repo } = setup();
    const rel = repo.targetsRoles.get(RELEASES)!;
    const snap = nextSnapshot(emptySnapshot(), new Map([[RELEASES, metaFileFor(1, metadataBytes(rel))]]), now, 1);
    assert.equal(snap.signed.version, 1);
    assert.equal(snap.signed.meta['targets/releases.json']!.version, 1);
    throwsCode(() => nextSnapshot(snap, new Map([[RELEASES, metaFileFor(1, Buffer.from('x'))]]), now, 1), 'E_TUF_ROLLBACK');
    const ts = nextTimestamp(emptyTimestamp(), 1, metadataBytes(snap), now, 1);
    assert.equal(ts.signed.snapshotMeta.version, 1);
    assert.equal(ts.signed.snapshotMeta.length, metadataBytes(snap).length);
  });

  it('TAP 15 bins: targets/releases delegates succinct roles, one bin per target name', () => {
    const { repo } = setup(16);
    const rel = repo.targetsRoles.get(RELEASES)!;
    const sr = rel.signed.delegations!.succinctRoles!;
    assert.equal(sr.numberOfBins, 16);
    assert.equal(repo.targetsRoles.size, 2 + 16);
    const bin = releasesRoleFor(rel, `${gun}:1.0`);
    assert.match(bin, /^targets\/releases\/bins-[0-9a-f]$/);
    assert.ok(delegatedRoleKeys(rel, bin));
    throwsCode(() => setup(12), 'E_USAGE');
  });

  it('rotation: a new root replaces a role key; revocation of a delegated key', () => {
    const { repo, s } = setup();
    const fresh = newSigner();
    const r2 = rootWithRoleKeys(repo.root, 'timestamp', { remove: [s.timestamp.key.keyID], add: [fresh.key] }, now, 365);
    assert.equal(r2.signed.version, 2);
    assert.deepEqual(r2.signed.roles.timestamp!.keyIDs, [fresh.key.keyID]);
    assert.equal(r2.signed.keys[s.timestamp.key.keyID], undefined, 'unused keys leave root');
    throwsCode(() => rootWithRoleKeys(repo.root, 'timestamp', { remove: [s.timestamp.key.keyID], add: [] }, now, 365), 'E_USAGE');
    const targets = repo.targetsRoles.get('targets')!;
    const extra = newSigner();
    const t2 = targetsWithDelegatedKeys(targets, RELEASES, { remove: [], add: [extra.key] }, now, 30);
    const t3 = targetsWithDelegatedKeys(t2, RELEASES, { remove: [s.releases.key.keyID], add: [] }, now, 30);
    assert.deepEqual(t3.signed.delegations!.roles![RELEASES]!.keyIDs, [extra.key.keyID]);
    assert.equal(t3.signed.delegations!.keys[s.releases.key.keyID], undefined);
    assert.equal(t3.signed.version, 3);
  });
});
