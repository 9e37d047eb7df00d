/** Attack class "bundle": a bundle.json that is not the signed one, or is built to be read two ways. */
import type { Attack } from './attack.js';

const E2E = 'test/integration/e2e/verify-file.test.ts';

const P = 'test/attacks/image-pins.test.ts';

export const attacks: Attack[] = [
  { threat: 'one byte of the bundle changed', status: 'held', file: E2E, test: 'one byte of the bundle changed' },
  { threat: 'a byte appended to the bundle', status: 'held', file: E2E, test: 'a byte appended: E_LENGTH_MISMATCH' },
  { threat: 'a re-formatted copy of the signed bundle', status: 'held', file: E2E, test: 'a pretty-printed copy of the signed bundle' },
  { threat: 'an image not pinned by contentDigest', status: 'held', file: E2E, test: 'a bundle with an unpinned image' },
  { threat: 'a tag that was never signed', status: 'held', file: E2E, test: 'a tag that was never signed' },
  { threat: 'duplicate JSON keys in bundle.json', status: 'held', file: 'test/integration/cnab/cli.test.ts', test: 'duplicate keys -> E_JSON_DUPLICATE_KEY naming the path' },
  { threat: 'duplicate keys deep inside a bundle', status: 'held', file: 'test/unit/cnab/bundle.test.ts', test: 'refuses duplicate keys anywhere in the bundle' },
  { threat: 'contradictory pins: an image written repo@sha256:B with contentDigest sha256:A', status: 'fixed (issue 11.7)', file: P, test: 'verify refuses it even when the releases key signed it' },
  { threat: 'contradictory pins refused before signing or pushing', status: 'fixed (issue 11.7)', file: P, test: 'push refuses it before anything is written' },
  { threat: 'a big integer beyond 2^53 signed rounded', status: 'fixed (issue 11.11)', file: 'test/integration/cnab/numbers.test.ts', test: 'refuses a big integer beyond 2^53 instead of signing it rounded' },
];
