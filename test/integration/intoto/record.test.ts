/**
 * Artifact recording against the reference oracle: `record/cases.json` holds what in-toto 1.3.1
 * `record_artifacts_as_dict` returned on `record/tree.tar` under seven option sets; our recorder must give the
 * same dict on the same tree. Also a differential check of our gitwildmatch patterns against python pathspec.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { intotoFixtures } from '../../helpers/fixtures.js';
import * as tar from 'tar';
import { recordArtifacts } from '../../../src/adapters/intoto/artifact-recorder.js';
import { ExcludeFilter } from '../../../src/core/intoto/record/exclude-patterns.js';
import type { RecordOptions } from '../../../src/core/intoto/record/options.js';

const fixtures = path.join(intotoFixtures, 'record');

interface OracleCase {
  case: string;
  artifacts: string[];
  options: { follow_symlink_dirs?: boolean; normalize_line_endings?: boolean; exclude_patterns?: string[]; base_path?: string; lstrip_paths?: string[] };
  result: Record<string, { sha256: string }>;
}

function optionsOf(c: OracleCase, cwd: string): RecordOptions {
  const o = c.options;
  return {
    followSymlinkDirs: o.follow_symlink_dirs ?? false, // the python API's default
    normalizeLineEndings: o.normalize_line_endings ?? false,
    ...(o.exclude_patterns ? { excludePatterns: o.exclude_patterns } : {}),
    ...(o.base_path ? { basePath: path.join(cwd, o.base_path) } : {}),
    ...(o.lstrip_paths ? { lstripPaths: o.lstrip_paths } : {}),
  };
}

describe('intoto record: artifact recording matches in-toto 1.3.1 (record/cases.json)', () => {
  let dir: string;
  const oracle = JSON.parse(readFileSync(path.join(fixtures, 'cases.json'), 'utf8')) as { cases: OracleCase[] };
  const cwd = process.cwd();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cnab-trust-record-'));
    await tar.x({ file: path.join(fixtures, 'tree.tar'), cwd: dir, preservePaths: false });
  });
  after(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  for (const c of oracle.cases) {
    it(`case ${c.case}`, () => {
      process.chdir(dir);
      try {
        const got = recordArtifacts(c.artifacts, optionsOf(c, dir));
        assert.deepEqual(got, c.result);
      } finally {
        process.chdir(cwd);
      }
    });
  }

  it('equals the materials of the link that in-toto-run recorded on the same tree', () => {
    const link = JSON.parse(readFileSync(path.join(fixtures, 'cli/record-tree.96f74413.link'), 'utf8')) as { signed: { materials: unknown } };
    process.chdir(dir);
    try {
      assert.deepEqual(recordArtifacts(['.']), link.signed.materials);
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses paths that climb out of the working directory (E_INTOTO_PATH)', () => {
    for (const p of ['..', '../x', 'sub/../../x', '/etc/passwd']) {
      assert.throws(() => recordArtifacts([p], { basePath: dir }), (e: { code?: string }) => e.code === 'E_INTOTO_PATH', p);
    }
    assert.throws(() => recordArtifacts(['.'], { basePath: dir, excludePatterns: ['../x'] }), /E_INTOTO_PATH|climbs/);
  });

  it('refuses a base path that is not a directory, and lstrip prefixes that make names collide', () => {
    assert.throws(() => recordArtifacts(['.'], { basePath: path.join(dir, 'nope') }), (e: { code?: string }) => e.code === 'E_INTOTO_PATH');
    assert.throws(() => recordArtifacts(['sub'], { basePath: dir, lstripPaths: ['sub/', 'sub/deep/'] }), (e: { code?: string }) => e.code === 'E_INTOTO_PATH');
  });

  it('does not loop on a symlink cycle', () => {
    const t = mkdtempSync(path.join(tmpdir(), 'cnab-trust-cycle-'));
    try {
      mkdirSync(path.join(t, 'a'));
      writeFileSync(path.join(t, 'a', 'f'), 'x');
      symlinkSync('..', path.join(t, 'a', 'up'));
      const got = recordArtifacts(['.'], { basePath: t });
      assert.ok(Object.keys(got).includes('a/f'));
      assert.ok(Object.keys(got).length < 10);
    } finally {
      rmSync(t, { recursive: true, force: true });
    }
  });
});

describe('intoto record: exclude patterns agree with python pathspec (gitwildmatch)', () => {
  const patterns: (string | string[])[] = [
    'build/', 'dir with space', '*.bin', 'sub/deep', '*.link*', '.git', '*.pyc', '*~', '/plain.txt', 'sub/*.txt',
    '**/file.txt', 'a/**/b', 'deep/', 'sub', '!sub/x.pyc', 'foo ', ' foo', '\\#x', '#c', '*.TXT', 'x[ab].txt', '?.txt',
    'sub/**', 'd*/f*', '[!a]*.o', '[^a]*.o', '[]a].o', '[!]a].o', '**/', '**', '*', 'a/**', '**/b', '\\!x',
    ['sub', '!sub/x.pyc'], ['*.txt', '!plain.txt'], ['sub/', '!sub/deep/'], ['*', '!*.o', 'out.o'],
    'ü*.txt', '?', 'b/', '/a/b/', 'a/*/b',
  ];
  const paths = [
    'build', 'build/keep.txt', 'build/out.o', 'dir with space', 'dir with space/f.txt', 'x.bin', 'sub', 'sub/deep',
    'sub/deep/file.txt', 'sub/x.pyc', 'step.link', 'step.link-unfinished', '.git', '.git/HEAD', 'notes.txt~',
    'plain.txt', 'sub/plain.txt', 'a/b', 'a/c/b', 'a/c/d/b', 'deep', 'x/deep', 'foo ', 'foo', '#x', '#c', 'A.TXT',
    'a.txt', 'xa.txt', '1.txt', 'sub/a.txt', 'dir/file', 'b.o', 'a.o', ']a.o', 'x.o', 'a ', '!x', 'ünï.txt', 'b', 'a/b/c',
  ];

  it('matches pathspec 0.11 (the library in-toto 1.3.1 uses) on every pattern x path pair', () => {
    const py = [
      'import sys, json, pathspec',
      'pats, paths = json.loads(sys.stdin.read())',
      'print(json.dumps([[x for x in paths if pathspec.PathSpec.from_lines("gitwildmatch", p if isinstance(p, list) else [p]).match_file(x)] for p in pats]))',
    ].join('\n');
    // python3-pathspec comes with the Debian in-toto package (.ci/run installs it)
    const out = execFileSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify([patterns, paths]) }).toString();
    const ref = JSON.parse(out) as string[][];
    patterns.forEach((p, i) => {
      const f = new ExcludeFilter(Array.isArray(p) ? p : [p]);
      assert.deepEqual(paths.filter((x) => f.excludes(x)), ref[i], `pattern ${JSON.stringify(p)}`);
    });
  });
});
