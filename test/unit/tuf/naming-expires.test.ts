import assert from 'node:assert/strict';
import {
  bundleTargetName,
  isBundleTargetOf,
  layoutKeyTargetName,
  layoutTargetName,
  linkTargetName,
  parseBundleRef,
  releasesDelegationPaths,
  roleFilePath,
  targetFilePath,
} from '../../../src/core/tuf/naming.js';
import { daysUntil, expiresAfter, expiryDaysOf, formatExpires } from '../../../src/core/tuf/expires.js';
import { throwsCode } from '../../helpers/assert.js';

describe('core/tuf/naming (CNAB-Sec 301)', () => {
  const gun = 'example.com/example-org/example-bundle';
  it('names bundle, layout, key and link targets as CNAB-Sec 301 lists them', () => {
    assert.equal(bundleTargetName(gun, 'latest'), 'example.com/example-org/example-bundle:latest');
    assert.equal(layoutTargetName(gun), 'example.com/example-org/example-bundle/in-toto-metadata/root.layout');
    assert.equal(layoutKeyTargetName(gun, 'ab'.repeat(32)), `${gun}/in-toto-pubkeys/${'ab'.repeat(32)}.pub`);
    assert.equal(linkTargetName(gun, 'eb41', 'step1.87d52666.link'), `${gun}/in-toto-metadata/eb41/step1.87d52666.link`);
    assert.deepEqual(releasesDelegationPaths(gun), [`${gun}:*`, `${gun}/in-toto-metadata/*/*.link`]);
  });

  it('parses <gun>:<tag>, with a registry port, and refuses what is not one', () => {
    assert.deepEqual(parseBundleRef(`${gun}:1.2.0`), { gun, tag: '1.2.0' });
    assert.deepEqual(parseBundleRef('localhost:5000/org/app:v1'), { gun: 'localhost:5000/org/app', tag: 'v1' });
    for (const bad of [gun, 'localhost:5000/org/app', `${gun}:`, `${gun}:a/b`, `../x:1`, `Example.com/x:1`]) {
      throwsCode(() => parseBundleRef(bad), 'E_USAGE');
    }
  });

  it('stores role files nested by role name and target files with a hash prefix', () => {
    assert.equal(roleFilePath('targets/releases', 3), '3.targets/releases.json');
    assert.equal(roleFilePath('timestamp', undefined), 'timestamp.json');
    assert.equal(targetFilePath(`${gun}:1.0`, 'ab12'), 'targets/example.com/example-org/ab12.example-bundle:1.0');
    throwsCode(() => roleFilePath('targets/../x', 1), 'E_TUF_INVALID');
    throwsCode(() => targetFilePath('a/../b', 'ab'), 'E_TUF_INVALID');
  });

  it('recognizes the bundle targets of a GUN', () => {
    assert.ok(isBundleTargetOf(gun, `${gun}:1.0`));
    assert.ok(!isBundleTargetOf(gun, `${gun}/in-toto-metadata/x/y.link`));
    assert.ok(!isBundleTargetOf(gun, `${gun}-other:1.0`));
  });
});

describe('core/tuf/expires', () => {
  it('writes expires without milliseconds (python-tuf refuses them)', () => {
    const now = new Date('2026-01-01T10:00:00.123Z');
    assert.equal(expiresAfter(now, 1), '2026-01-02T10:00:00Z');
    assert.equal(formatExpires(now), '2026-01-01T10:00:00Z');
    assert.equal(daysUntil('2026-01-03T10:00:00Z', new Date('2026-01-01T10:00:00Z')), 2);
  });

  it('takes CNAB-Sec 301 default periods; bins inherit targets/releases', () => {
    assert.equal(expiryDaysOf('root', {}), 365);
    assert.equal(expiryDaysOf('timestamp', {}), 1);
    assert.equal(expiryDaysOf('targets/releases/bins-0a', { 'targets/releases': 14 }), 14);
    assert.equal(expiryDaysOf('targets/releases/bins-0a', {}), 30);
  });
});
