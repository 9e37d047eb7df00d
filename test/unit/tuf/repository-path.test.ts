import assert from 'node:assert/strict';
import { repositoryPathSegments } from '../../../src/core/tuf/repository-path.js';

describe('core/tuf/repository-path', () => {
  it('decodes %2F in a role name into nested directories, as static servers do', () => {
    assert.deepEqual(repositoryPathSegments('/3.targets%2Freleases.json'), ['3.targets', 'releases.json']);
    assert.deepEqual(repositoryPathSegments('3.root.json'), ['3.root.json']);
    assert.deepEqual(repositoryPathSegments('/targets/example.com/org/abc.app%3A1.0'), ['targets', 'example.com', 'org', 'abc.app:1.0']);
  });

  it('refuses traversal, plain or encoded, and malformed paths', () => {
    for (const p of ['/../etc/passwd', '/a/../../b', '/%2E%2E/x', '/x%2F..%2Fy', '/a//b', '/', '/a%5Cb', '/a%00b', '/%zz', '/./a']) {
      assert.throws(() => repositoryPathSegments(p), (e: { code?: string }) => e.code === 'E_USAGE', p);
    }
  });
});
