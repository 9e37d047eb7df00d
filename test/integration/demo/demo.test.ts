/** `npm run demo` (the README's first command) as a new user runs it, minus the build: node dist/src/demo/demo.js. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../helpers/fixtures.js';

describe('demo', () => {
  it('runs every step with the expected outcome and exits 0', function () {
    this.timeout(300_000);
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist/src/demo/demo.js')], { encoding: 'utf8', cwd: repoRoot });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /digest of the signed artifact: sha256:d83b4ed17a290f357f7757bcb627d74ede4769d6e185e35c7a7dd6da2456a7d6/);
    assert.match(r.stdout, /digest of the signed artifact: sha256:e91b9dfcbbb3b88bac94726f276b89de46e4460b55f6e6d6f876e666b150ec5b/);
    assert.match(r.stdout, /refused as expected: error\[E_RELOCATED_DIGEST_MISMATCH\]/);
    // the whole story: the relocated copy verifies (in-toto included), the tampered one is refused with the reason
    assert.match(r.stdout, /ok {3}in-toto {4}supply chain of .* verified \(2 step\(s\)\)/);
    assert.match(r.stdout, /VERIFIED: example\.com\/shop\/storefront:1\.0\.0/);
    assert.match(r.stdout, /FAIL images {5}\[E_OCI_DIGEST_MISMATCH\]/);
    assert.match(r.stdout, /NOT VERIFIED: do not install oci:registry-b:1\.0\.0/);
    assert.match(r.stdout, /every step gave the expected outcome/);
  });
});
