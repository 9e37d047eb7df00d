/**
 * Fast-forward recovery (TUF 5.3.11, issue 11 item 9). An attacker holding the online snapshot and timestamp keys
 * fast-forwards a client: timestamp v2 names snapshot v1000. The repository recovers by rotating the snapshot key
 * (root v2) and publishing snapshot v2. The client must drop its trusted timestamp and snapshot when the snapshot
 * keys rotate, and take the recovered repository; tuf-js 5.0.1 alone stays stuck at E_TUF_ROLLBACK until the
 * timestamp key is rotated as well. Through the CLI (`tuf get --cache`, `verify --cache`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { generateKey, TufTestRepo } from '../helpers/tuf-repo.js';

describe('attacks: fast-forward of snapshot, then recovery by key rotation (TUF 5.3.11)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-attack-ff-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('after the snapshot key rotation the cached client recovers; before it, the fast-forward is refused as a rollback', () => {
    const repo = new TufTestRepo(path.join(dir, 'repo'));
    const name = `${repo.gun}:1.0.0`;
    repo.addTarget(name, Buffer.from('{"v":1}'));
    repo.publish();
    const root = path.join(dir, 'root.json');
    writeFileSync(root, repo.trustedRoot());
    const cache = path.join(dir, 'cache');
    const get = (): ReturnType<typeof runCli> => runCli('tuf', 'get', name, '--trusted-root', root, '--metadata', repo.dir, '--cache', cache);
    assert.equal(get().status, 0);

    // the attacker (snapshot and timestamp keys): snapshot v1000, timestamp v2; the client trusts them
    repo.versions.snapshot = 1000;
    repo.versions.timestamp = 2;
    repo.publish();
    assert.equal(get().status, 0, 'the fast-forwarded metadata is validly signed');

    // the repository rolls its snapshot back to v2: a rollback for the client, as long as the key is the same
    repo.versions.snapshot = 2;
    repo.versions.timestamp = 3;
    repo.publish();
    const refused = get();
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /E_TUF_ROLLBACK/);

    // recovery: root v2 rotates the snapshot key (timestamp key unchanged); the client must take it
    repo.keys.snapshot = [generateKey()];
    repo.versions.root = 2;
    repo.writeRoot();
    repo.versions.timestamp = 4;
    repo.publish();
    const recovered = get();
    assert.equal(recovered.status, 0, recovered.stderr);
    // and the rollback protection is back in place from the new state on
    repo.versions.snapshot = 1;
    repo.versions.timestamp = 5;
    repo.publish();
    assert.match(get().stderr, /E_TUF_ROLLBACK/);
  });
});
