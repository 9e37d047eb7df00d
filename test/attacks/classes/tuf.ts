/** Attack class "tuf": forged, replayed, mixed or oversized TUF metadata (TUF spec 5.3-5.6 client workflow). */
import type { Attack } from './attack.js';

const F = 'test/integration/tuf/failing-paths.test.ts';

const D = 'test/attacks/tuf-distinct-keys.test.ts';

export const attacks: Attack[] = [
  { threat: 'rollback of root: a newer root file carrying an older version', status: 'held', file: F, test: 'a newer root file carrying an older version' },
  { threat: 'rollback of timestamp', status: 'held', file: F, test: 'an older timestamp than the trusted one' },
  { threat: 'rollback of snapshot: a new timestamp naming an older snapshot', status: 'held', file: F, test: 'a new timestamp naming an older snapshot' },
  { threat: 'rollback of targets and targets/releases: a new snapshot naming an older role', status: 'held', file: F, test: ': a new snapshot naming an older ' },
  { threat: 'freeze: a role expired (fixed clock), a timestamp valid yesterday replayed today', status: 'held', file: F, test: 'a timestamp valid yesterday is stale today' },
  { threat: 'freeze: every role expired', status: 'held', file: F, test: ': E_TUF_EXPIRED naming ' },
  { threat: 'mix-and-match: a targets file of another version than the snapshot names', status: 'held', file: F, test: 'the targets file under the version the snapshot names is another version' },
  { threat: 'mix-and-match: a delegated role file from another snapshot', status: 'held', file: F, test: 'a delegated role file from another snapshot' },
  { threat: 'mix-and-match: a snapshot that is not the one the timestamp names', status: 'held', file: F, test: 'the snapshot file is not the one the timestamp names' },
  { threat: 'endless data: an oversized timestamp', status: 'held', file: F, test: 'a timestamp over 16 KiB' },
  { threat: 'endless data: an oversized targets file when the snapshot states no length', status: 'held', file: F, test: 'a targets file over the configured bound' },
  { threat: 'endless data: an oversized root', status: 'held', file: F, test: 'a root over 512000 bytes' },
  { threat: 'key confusion: a timestamp signed by a key the rotated root revoked', status: 'held', file: F, test: 'timestamp signed by a key the rotated root revoked' },
  { threat: 'key confusion: targets/releases signed by a key the targets role revoked', status: 'held', file: F, test: 'targets/releases signed by a key the targets role revoked' },
  { threat: 'threshold: targets signed by fewer keys than its threshold', status: 'held', file: F, test: 'targets signed by 1 of the 2 keys its threshold requires' },
  { threat: 'threshold: a new root signed by fewer trusted root keys than the threshold', status: 'held', file: F, test: 'a new root signed by 1 of the 2 trusted root keys' },
  { threat: 'arbitrary target: same length, other bytes; other lengths', status: 'held', file: F, test: 'hash mismatch: same length, other bytes' },
  { threat: 'a target listed by a role not delegated its path', status: 'held', file: F, test: 'a target listed by a role not delegated its path' },
  { threat: 'a bootstrap root that does not verify itself', status: 'held', file: F, test: 'a bootstrap root that does not verify itself' },
  { threat: 'TAP 4: two repositories that disagree on a target', status: 'held', file: 'test/integration/tuf/tap4-map.test.ts', test: 'two repositories that disagree' },
  { threat: 'metadata server: traversal and links leading out of the served directory', status: 'held', file: 'test/integration/tuf/serve.test.ts', test: 'refuses traversal and links leading out of the directory' },
  { threat: 'duplicate JSON keys in TUF metadata (two readers, two documents)', status: 'held', file: 'test/unit/json/adoption.test.ts', test: 'TUF metadata with a duplicate key is refused' },
  { threat: 'one key listed under two keyids meets a threshold of 2 by signing twice (delegated role)', status: 'fixed (issue 11.8)', file: D, test: 'targets/releases: one key under two keyids, threshold 2' },
  { threat: 'one key listed under two keyids meets a threshold of 2 (top-level role)', status: 'fixed (issue 11.8)', file: D, test: 'a top-level role (timestamp) listed twice in root with threshold 2' },
  { threat: 'a repository tool adding the same key in another form', status: 'fixed (issue 11.8)', file: D, test: 'metadata rotate refuses to add the same key in another form' },
];
