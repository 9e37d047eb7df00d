import assert from 'node:assert/strict';
import { checkRelocationMapping } from '../../../src/core/relocation/index.js';
import { errorOf } from '../../helpers/errors.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const images = [{ kind: 'invocation' as const, index: 0, reference: 'example/app:1', contentDigest: `sha256:${A}` }];

describe('core/relocation: OCI layout locations as relocated values', () => {
  it('accepts oci:<dir>@<digest> (pinned) and oci:<dir>:<tag> (to resolve)', () => {
    const pinned = checkRelocationMapping(images, new Map([['example/app:1', `oci:./airgap@sha256:${A}`]]));
    assert.equal(pinned.entries[0]!.status, 'pinned');
    assert.equal(pinned.entries[0]!.relocatedLocation.kind, 'oci-layout');
    assert.equal(pinned.entries[0]!.relocatedDigest, `sha256:${A}`);
    const tagged = checkRelocationMapping(images, new Map([['example/app:1', 'oci:./airgap:app']]));
    assert.equal(tagged.entries[0]!.status, 'resolve');
  });
  it('refuses a layout value pinned to another digest', () => {
    const e = errorOf(() => checkRelocationMapping(images, new Map([['example/app:1', `oci:./airgap@sha256:${B}`]])));
    assert.equal(e.code, 'E_RELOCATED_DIGEST_MISMATCH');
  });
  it('equivalent keys must map to the same layout location', () => {
    const e = errorOf(() =>
      checkRelocationMapping(
        images,
        new Map([
          ['example/app:1', `oci:./airgap@sha256:${A}`],
          ['docker.io/example/app:1', `oci:./other@sha256:${A}`],
        ]),
      ),
    );
    assert.equal(e.code, 'E_RELOCATION_INVALID');
  });
});
