import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { Metadata, Targets } from '@tufjs/models';
import { SslibSigner } from '../../../src/core/crypto/sslib-signer.js';
import { sslibPublicKeyOf } from '../../../src/core/crypto/keys.js';
import { asTufSigner } from '../../../src/core/tuf/keys.js';
import { signMetadata } from '../../../src/core/tuf/signing.js';
import { mergeSignatures, stagedFromJson, stagedToJson, type StagedChange } from '../../../src/core/tuf/staged.js';
import { metadataBytes, parseTargets } from '../../../src/core/tuf/metadata-files.js';
import { targetFile, withTargets } from '../../../src/core/tuf/transitions.js';
import { throwsCode } from '../../helpers/assert.js';

function signer() {
  const k = generateKeyPairSync('ed25519').privateKey;
  return asTufSigner(new SslibSigner(sslibPublicKeyOf(k, 'k'), k));
}

function change(version = 2): StagedChange {
  const md = new Metadata(new Targets({ version, specVersion: '1.0.31', expires: '2030-01-01T00:00:00Z', targets: {} }));
  return { description: 'd', created: '2026-01-01T00:00:00Z', targetsRoles: new Map([['targets', md]]), targetFiles: [], requirements: [] };
}

describe('core/tuf/staged', () => {
  it('round-trips through its JSON file form with signatures', async () => {
    const c = change();
    await signMetadata(c.targetsRoles.get('targets')!, [signer()]);
    const back = stagedFromJson(JSON.parse(JSON.stringify(stagedToJson(c))), 'x');
    assert.equal(Object.keys(back.targetsRoles.get('targets')!.signatures).length, 1);
    throwsCode(() => stagedFromJson({ format: 'other' }, 'x'), 'E_TUF_STAGED');
  });

  it('merges signatures over identical content and refuses different content', async () => {
    const a = change();
    const b = stagedFromJson(JSON.parse(JSON.stringify(stagedToJson(a))), 'b');
    await signMetadata(b.targetsRoles.get('targets')!, [signer()]);
    assert.equal(mergeSignatures(a, b), 1);
    assert.equal(Object.keys(a.targetsRoles.get('targets')!.signatures).length, 1);
    throwsCode(() => mergeSignatures(a, change(3)), 'E_TUF_STAGED', /differs/);
  });
});

describe('core/tuf/metadata-files', () => {
  it('serializes and parses targets maps in linear time, byte-identical to the round trip', () => {
    const md = new Metadata(new Targets({ version: 1, specVersion: '1.0.31', expires: '2030-01-01T00:00:00Z', targets: {} }));
    const files = Array.from({ length: 20000 }, (_, i) => targetFile(`x:${i}`, Buffer.from(String(i)), { i }));
    const big = withTargets(md, files, new Date('2026-01-01T00:00:00Z'), 1);
    const bytes = metadataBytes(big);
    const back = parseTargets(bytes);
    assert.equal(Object.keys(back.signed.targets).length, 20000);
    assert.deepEqual(back.signed.targets['x:7']!.custom, { i: 7 });
    assert.ok(metadataBytes(back).equals(bytes));
  });
});
