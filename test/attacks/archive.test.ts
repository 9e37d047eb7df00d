/**
 * Attack class "archive": hostile thick bundles (CNAB 104 .tgz) given to `verify` and `import`.
 * Each attack runs through the CLI (`node dist/src/cli/main.js`). SECURITY.md maps each threat here.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertOneLineError, runCliIn } from '../helpers/cli.js';
import { makeTgz } from '../helpers/tar.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('attacks: archive (thick bundles, CNAB 104)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('cnab-trust-attack-archive-');
  });
  afterEach(() => tmp.remove());

  it('a big archive extracts without leaking listeners (issue 11.6: MaxListenersExceededWarning)', () => {
    // 12 MiB of incompressible content: gunzip and the tar parser both push back many times
    const archive = path.join(tmp.dir, 'big.tgz');
    writeFileSync(archive, makeTgz([{ name: 'bundle.json', content: '{}' }, { name: 'pad', content: randomBytes(12 * 1024 * 1024) }]));
    writeFileSync(path.join(tmp.dir, 'root.json'), '{}');
    const r = runCliIn(tmp.dir, ['verify', archive, '--target', 'example.com/a/b:1', '--trusted-root', 'root.json']);
    assert.ok(!r.stderr.includes('MaxListenersExceededWarning'), r.stderr);
    assert.ok(!r.stderr.includes('memory leak'), r.stderr);
  });

  it('an archive without TUF metadata and no --metadata is a usage error, not a crash (issue 11.4)', () => {
    const archive = path.join(tmp.dir, 'plain.tgz');
    writeFileSync(archive, makeTgz([{ name: 'bundle.json', content: '{}' }]));
    writeFileSync(path.join(tmp.dir, 'root.json'), '{}');
    const r = runCliIn(tmp.dir, ['verify', archive, '--target', 'example.com/a/b:1', '--trusted-root', 'root.json']);
    assertOneLineError(r, 'E_USAGE', 2, 'carries no TUF metadata');
  });
});
