/**
 * The messages tuf-js 5.0.1 and @tufjs/models 4.1.1 produce, classified: if a pinned-library upgrade changes a
 * message, this test (and the failing-path integration tests) say so.
 */
import assert from 'node:assert/strict';
import { toTufError } from '../../../src/adapters/tuf/tuf-js-errors.js';

const cases: Array<[string, 'refresh' | 'download', string | undefined, string, string | undefined]> = [
  // message, phase, last role fetched, expected code, expected subject
  ['Final root.json is expired', 'refresh', 'timestamp', 'E_TUF_EXPIRED', 'root'],
  ['Unable to load snapshot metadata error Error: snapshot.json is expired', 'refresh', 'snapshot', 'E_TUF_EXPIRED', 'snapshot'],
  ['Unable to load targets error Error: targets/releases.json is expired', 'refresh', 'targets/releases', 'E_TUF_EXPIRED', 'targets/releases'],
  ['timestamp was signed by 0/1 keys', 'refresh', 'timestamp', 'E_TUF_SIGNATURE', 'timestamp'],
  ['Unable to load targets error Error: targets was signed by 1/2 keys', 'refresh', 'targets', 'E_TUF_THRESHOLD', 'targets'],
  ['Expected version 3, got 1', 'refresh', 'root', 'E_TUF_ROLLBACK', 'root'],
  ['New timestamp version 1 is less than current version 2', 'refresh', 'timestamp', 'E_TUF_ROLLBACK', 'timestamp'],
  ['New snapshot version 1 is less than current version 2', 'refresh', 'timestamp', 'E_TUF_ROLLBACK', 'snapshot'],
  ['Unable to load snapshot metadata error Error: New version 1 of targets.json is less than current version 2', 'refresh', 'snapshot', 'E_TUF_ROLLBACK', 'targets'],
  ["Unable to load snapshot metadata error Error: Snapshot version doesn't match timestamp", 'refresh', 'snapshot', 'E_TUF_SNAPSHOT_MISMATCH', 'snapshot'],
  ['Unable to load targets error Error: Version 1 of targets does not match snapshot version 2', 'refresh', 'targets', 'E_TUF_SNAPSHOT_MISMATCH', 'targets'],
  ['Unable to load targets error Error: Expected hash aa but got bb', 'refresh', 'targets', 'E_TUF_SNAPSHOT_MISMATCH', 'targets'],
  ['Expected hash aa but got bb', 'download', undefined, 'E_TUF_TARGET_MISMATCH', 'x:1'],
  ['Max length reached', 'download', undefined, 'E_TUF_TARGET_MISMATCH', 'x:1'],
  ['Max length reached', 'refresh', 'timestamp', 'E_TUF_TOO_LARGE', 'timestamp'],
  ['Failed to download', 'refresh', 'timestamp', 'E_TUF_FETCH', 'timestamp'],
  ['Unexpected token } in JSON', 'refresh', 'snapshot', 'E_TUF_INVALID', 'snapshot'],
];

describe('adapters/tuf: tuf-js errors to E_TUF_* codes', () => {
  for (const [message, phase, lastRole, code, subject] of cases) {
    it(`${message} -> ${code} (${subject})`, () => {
      const e = toTufError(new Error(message), { phase, ...(lastRole ? { lastRole } : {}), target: 'x:1' });
      assert.equal(e.code, code);
      assert.equal(e.subject, subject);
    });
  }
});
