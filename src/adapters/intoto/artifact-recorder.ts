/**
 * Artifact recording (in-toto 1.3.1 `runlib.record_artifacts_as_dict`, as `in-toto-run` calls it):
 * the paths given are normalized and filtered by the exclude patterns; a file is hashed, a directory is walked
 * top-down like python's `os.walk` (exclude patterns applied to each directory's subdirectory and file paths,
 * so an excluded directory is not entered), symlinked files are hashed under the link's name, symlinked
 * directories are walked only with `followSymlinkDirs`, and broken links, missing paths and special files are
 * skipped. `record/cases.json` of the reference fixtures is the oracle (test/integration/intoto/record.test.ts).
 *
 * Differences on purpose: a path that climbs out of the working directory is refused (E_INTOTO_PATH); a symlink
 * cycle is not followed a second time (python follows it until the OS says ELOOP).
 */
import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { CnabTrustError } from '../../core/errors.js';
import { checkedArtifactPath, checkLstripPrefixes, lstripArtifactPath, normalizeArtifactPath } from '../../core/intoto/record/artifact-path.js';
import { excludeFilterFor, type ExcludeFilter } from '../../core/intoto/record/exclude-patterns.js';
import type { ArtifactDict, RecordOptions } from '../../core/intoto/record/options.js';
import { hashFile } from './file-hasher.js';

/** Record the artifacts (files, or directories walked recursively) as `{path: {sha256}}`. */
export function recordArtifacts(artifacts: readonly string[], options: RecordOptions = {}): ArtifactDict {
  const result: ArtifactDict = Object.create(null) as ArtifactDict;
  if (artifacts.length === 0) return result;
  const base = resolveBasePath(options.basePath);
  const filter = excludeFilterFor(options.excludePatterns);
  const lstrip = options.lstripPaths;
  if (lstrip !== undefined) checkLstripPrefixes(lstrip);
  const recorder = new Recorder(base, filter, options.followSymlinkDirs ?? true, options.normalizeLineEndings ?? false, lstrip, result);
  for (const artifact of filter.filter(artifacts.map((a) => checkedArtifactPath(a, lstrip)))) {
    const st = statOrUndefined(recorder.abs(artifact));
    if (st?.isFile()) recorder.record(artifact);
    else if (st?.isDirectory()) recorder.walk(artifact, new Set());
    // else: missing path or broken link, skipped as 1.3.1 does
  }
  // A plain object with the usual prototype, keys in sorted order for readable output.
  const sorted: ArtifactDict = {};
  for (const k of Object.keys(result).sort()) sorted[k] = result[k]!;
  return sorted;
}

function resolveBasePath(basePath: string | undefined): string {
  const base = path.resolve(basePath ?? '.');
  const st = statOrUndefined(base);
  if (!st?.isDirectory()) {
    throw new CnabTrustError('E_INTOTO_PATH', `cannot use '${basePath ?? '.'}' as base path: not a directory`, { subject: basePath ?? '.' });
  }
  return base;
}

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

class Recorder {
  constructor(
    private readonly base: string,
    private readonly filter: ExcludeFilter,
    private readonly followSymlinkDirs: boolean,
    private readonly normalizeLineEndings: boolean,
    private readonly lstrip: readonly string[] | undefined,
    private readonly result: ArtifactDict,
  ) {}

  abs(rel: string): string {
    return rel === '.' ? this.base : path.resolve(this.base, rel);
  }

  record(rel: string): void {
    const key = lstripArtifactPath(rel.replace(/\\/g, '/'), this.lstrip, this.result);
    this.result[key] = hashFile(this.abs(rel), { normalizeLineEndings: this.normalizeLineEndings });
  }

  /** One directory of `os.walk(top, followlinks)`, then its subdirectories, top-down. */
  walk(dir: string, chain: Set<string>): void {
    const absDir = this.abs(dir);
    let entries: Dirent[];
    let id: string;
    try {
      const st = statSync(absDir);
      id = `${st.dev}:${st.ino}`;
      entries = readdirSync(absDir, { withFileTypes: true });
    } catch {
      return; // os.walk ignores directories it cannot list
    }
    if (chain.has(id)) return; // a symlink cycle: already inside this directory
    chain.add(id);
    const dirs: string[] = [];
    const linkedDirs = new Set<string>();
    const files: string[] = [];
    for (const e of entries) {
      const rel = normalizeArtifactPath(dir === '.' ? e.name : `${dir}/${e.name}`);
      if (e.isDirectory()) {
        dirs.push(rel);
      } else if (e.isFile()) {
        files.push(rel);
      } else if (!(e.isFIFO() || e.isSocket() || e.isBlockDevice() || e.isCharacterDevice())) {
        // a symlink (or unknown type): os.walk classifies with is_dir() (follows links); in-toto then keeps files with isfile() (follows links)
        const st = statOrUndefined(path.join(absDir, e.name));
        if (st?.isDirectory()) {
          dirs.push(rel);
          if (e.isSymbolicLink()) linkedDirs.add(rel);
        } else if (st?.isFile()) files.push(rel);
        // else: broken link (skipped, as 1.3.1 logs "appears to be a broken symlink")
      }
      // else: fifo, socket, device: not a regular file, skipped as os.path.isfile() skips it
    }
    for (const f of this.filter.filter(files)) this.record(f);
    for (const d of this.filter.filter(dirs)) {
      if (!this.followSymlinkDirs && linkedDirs.has(d)) continue;
      this.walk(d, chain);
    }
    chain.delete(id);
  }
}
