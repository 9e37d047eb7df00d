/**
 * `TufClient.getTargetWithRole`: the role whose listing the client trusted, as CNAB-Sec 301 needs to accept in-toto
 * layout keys only from the top-level `targets` role.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { TufTestRepo } from '../../helpers/tuf-repo.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { withTrustedRepository } from '../../../src/workflows/tuf/get.js';
import { CnabTrustError } from '../../../src/core/errors.js';

describe('tuf client: which role signs a target', function () {
  let tmp: ReturnType<typeof makeTempDir>;
  let repo: TufTestRepo;

  before(() => {
    tmp = makeTempDir();
    repo = new TufTestRepo(path.join(tmp.dir, 'metadata'));
    repo.addTarget(`${repo.gun}:1.0`, Buffer.from('bundle'));
    repo.addTarget(`${repo.gun}/in-toto-pubkeys/aa.pub`, Buffer.from('key by targets'), undefined, 'targets');
    // listed by targets/releases although only targets may sign it: the delegation does not cover this path
    repo.addTarget(`${repo.gun}/in-toto-pubkeys/bb.pub`, Buffer.from('key by releases'));
    // listed by both: the top-level role is visited first and wins (TUF client workflow 5.6.7)
    repo.addTarget(`${repo.gun}:2.0`, Buffer.from('two'), undefined, 'targets');
    repo.targets['targets/releases'][`${repo.gun}:2.0`] = repo.targets.targets[`${repo.gun}:2.0`]!;
    repo.publish();
  });
  after(() => tmp.remove());

  const open = <T>(fn: Parameters<typeof withTrustedRepository<T>>[1]) =>
    withTrustedRepository({ trustedRoot: repo.trustedRoot(), metadata: repo.dir }, fn);

  it('names targets/releases for a bundle and targets for a key it signs', async () => {
    await open(async (client) => {
      assert.equal((await client.getTargetWithRole(`${repo.gun}:1.0`)).role, 'targets/releases');
      const key = await client.getTargetWithRole(`${repo.gun}/in-toto-pubkeys/aa.pub`);
      assert.equal(key.role, 'targets');
      assert.equal(key.target.length, 14);
      assert.equal((await client.getTargetWithRole(`${repo.gun}:2.0`)).role, 'targets');
    });
  });

  it('refuses a key listed only by a role not delegated its path', async () => {
    await open(async (client) => {
      await assert.rejects(client.getTargetWithRole(`${repo.gun}/in-toto-pubkeys/bb.pub`), (e: unknown) => {
        assert.ok(e instanceof CnabTrustError);
        assert.equal(e.code, 'E_TUF_DELEGATION');
        return true;
      });
    });
  });
});
