/**
 * Artifact paths as in-toto 1.3.1 records them: `os.path.normpath` of each path given, `\` turned into `/`,
 * and the optional left strip of a prefix. Paths that climb out of the recording directory (absolute, or
 * `..` after normalization) are refused here: a link must not describe files outside the step's directory.
 */
import { posix } from 'node:path';
import { CnabTrustError } from '../../errors.js';

/** `os.path.normpath` on POSIX for a relative path: `.`/empty segments dropped, `a/..` folded, no trailing `/`. */
export function normalizeArtifactPath(path: string): string {
  if (path === '') return '.';
  const n = posix.normalize(path);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

function climbs(n: string): string | undefined {
  if (posix.isAbsolute(n)) return 'is absolute';
  if (n === '..' || n.startsWith('../')) return 'climbs out of the working directory';
  return undefined;
}

/**
 * Normalize a path given on the command line, refusing one that leaves the working directory, unless an
 * lstrip prefix takes the outside part away (`-m /abs/docs/x.pdf --lstrip-paths /abs/docs/`, as in-toto-run's
 * help shows): the recorded names are what must stay inside, and `lstripArtifactPath` checks each of them.
 */
export function checkedArtifactPath(path: string, lstripPaths?: readonly string[]): string {
  if (path.includes('\0')) throw pathError(path, 'contains a NUL character');
  const n = normalizeArtifactPath(path);
  const why = climbs(n);
  if (why !== undefined && !(lstripPaths ?? []).some((p) => p !== '' && (n.startsWith(p) || `${n}/` === p))) throw pathError(path, why);
  return n;
}

function pathError(path: string, why: string): CnabTrustError {
  return new CnabTrustError('E_INTOTO_PATH', `artifact path '${path}' ${why}`, {
    subject: path,
    hint: 'artifact paths are relative to the working directory (or --base-path) and stay inside it',
  });
}

/**
 * in-toto `--lstrip-paths`: no prefix may be a left substring of another (1.3.1 refuses the pair).
 */
export function checkLstripPrefixes(prefixes: readonly string[]): void {
  for (let i = 0; i < prefixes.length; i++) {
    for (let j = i + 1; j < prefixes.length; j++) {
      const a = prefixes[i]!;
      const b = prefixes[j]!;
      if (a.startsWith(b) || b.startsWith(a)) {
        throw new CnabTrustError('E_INTOTO_PATH', `lstrip prefixes '${a}' and '${b}': one is a left substring of the other`, {
          subject: `${a}, ${b}`,
        });
      }
    }
  }
}

/**
 * Strip the first matching prefix (1.3.1 `_apply_left_strip`); refuse a key that is already recorded,
 * since two files would then share one name.
 */
export function lstripArtifactPath(path: string, prefixes: readonly string[] | undefined, recorded: ReadonlySet<string> | Record<string, unknown>): string {
  if (prefixes === undefined || prefixes.length === 0) return path; // checkedArtifactPath kept it inside
  let key = path;
  for (const prefix of prefixes) {
    if (key.startsWith(prefix)) {
      key = key.slice(prefix.length);
      break;
    }
  }
  const why = climbs(key);
  if (why !== undefined) throw pathError(key, `${why} (after --lstrip-paths)`);
  const seen = recorded instanceof Set ? recorded.has(key) : Object.prototype.hasOwnProperty.call(recorded, key);
  if (seen) {
    throw new CnabTrustError('E_INTOTO_PATH', `stripping the prefix makes '${key}' name two artifacts`, {
      subject: key,
      hint: 'choose --lstrip-paths prefixes that keep artifact names unique',
    });
  }
  return key;
}
