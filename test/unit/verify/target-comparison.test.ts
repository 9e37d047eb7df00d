import assert from 'node:assert/strict';
import { isSignedArtifact, sameTargetFile } from '../../../src/core/verify/signed-artifact.js';

const H = 'ab'.repeat(32);
const H2 = 'cd'.repeat(32);

describe('core/verify: comparing trusted targets and measured artifacts', () => {
  it('sameTargetFile: equal length and hashes, whatever the key order or hex case', () => {
    assert.ok(sameTargetFile({ length: 5, hashes: { sha256: H, sha512: H2 } }, { length: 5, hashes: { sha512: H2, sha256: H.toUpperCase() } }));
  });

  it('sameTargetFile: another length, another hash, a hash only one side states, or no hash at all differ', () => {
    assert.ok(!sameTargetFile({ length: 5, hashes: { sha256: H } }, { length: 6, hashes: { sha256: H } }));
    assert.ok(!sameTargetFile({ length: 5, hashes: { sha256: H } }, { length: 5, hashes: { sha256: H2 } }));
    assert.ok(!sameTargetFile({ length: 5, hashes: { sha256: H } }, { length: 5, hashes: { sha256: H, sha512: H2 } }));
    assert.ok(!sameTargetFile({ length: 5, hashes: {} }, { length: 5, hashes: {} }));
  });

  it('isSignedArtifact: a streamed archive is the target when length and sha256 match and sha256 is all it states', () => {
    const target = { name: 'example.com/app:1', length: 10, hashes: { sha256: H } };
    assert.ok(isSignedArtifact({ digest: `sha256:${H}`, length: 10 }, target));
    assert.ok(!isSignedArtifact({ digest: `sha256:${H}`, length: 11 }, target));
    assert.ok(!isSignedArtifact({ digest: `sha256:${H2}`, length: 10 }, target));
    assert.ok(!isSignedArtifact({ digest: `sha256:${H}`, length: 10 }, { ...target, hashes: { sha256: H, sha512: H2 } }));
    assert.ok(!isSignedArtifact({ digest: `sha256:${H}`, length: 10 }, { ...target, hashes: {} }));
  });
});
