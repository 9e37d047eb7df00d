/** `tuf get --download DIR`: a signed target name never chooses a path outside DIR. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { targetFileName } from '../../../src/core/tuf/naming.js';
import { throwsCode } from '../../helpers/assert.js';

describe('tuf get --download: the file name of a target', () => {
  it('keeps every name inside the download directory (no separator survives)', () => {
    for (const name of ['example.com/org/app:1.0.0', '../../etc/passwd', 'a/../../b', '..\\..\\x', '/abs/path']) {
      const file = targetFileName(name);
      assert.ok(!file.includes('/') && !file.includes('\\'), file);
      assert.equal(path.dirname(path.join('/dl', file)), '/dl', file);
    }
    assert.equal(targetFileName('example.com/org/app:1.0.0'), 'example.com%2Forg%2Fapp%3A1.0.0');
  });

  it('refuses names that are the directory itself or its parent (E_TUF_INVALID)', () => {
    for (const name of ['', '.', '..']) throwsCode(() => targetFileName(name), 'E_TUF_INVALID');
  });
});
