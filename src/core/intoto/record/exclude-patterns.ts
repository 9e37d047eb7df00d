/**
 * Exclude patterns for artifact recording, with the gitwildmatch semantics that in-toto 1.3.1 gets from
 * python `pathspec` 0.11 (`PathSpec.from_lines('gitwildmatch', patterns)`).
 *
 * Written by hand rather than with the `ignore` package because `ignore` differs from pathspec where it shows
 * in recorded artifacts (checked side by side with pathspec on this machine): it treats `[!a]` as the class
 * `{!, a}` instead of a negated class, and a `!pattern` cannot re-include a path whose parent is excluded
 * (pathspec applies the last matching pattern to the path alone). Its default is also case-insensitive.
 *
 * Semantics (pathspec's GitWildMatchPattern, read for behaviour only):
 *  - surrounding whitespace is stripped; empty lines, `#comments` and `/` are no-ops; `!p` re-includes;
 *  - a pattern with no `/` except a trailing one matches at any depth (`**` is prepended);
 *  - a trailing `/` matches only paths below the directory (`dir/` matches `dir/x`, not `dir`);
 *  - every other pattern matches the path itself and everything below it;
 *  - `*` and `?` never cross `/`; `**` as a whole segment does; `[...]`/`[!...]` are character classes;
 *  - the last pattern that matches decides.
 */
import { CnabTrustError } from '../../errors.js';
import { compareCodePoints } from '../../canonical/olpc.js';

/** What in-toto 1.3.1 excludes when no patterns are passed (`in_toto.settings.ARTIFACT_EXCLUDE_PATTERNS`). */
export const DEFAULT_EXCLUDE_PATTERNS: readonly string[] = Object.freeze(['*.link*', '.git', '*.pyc', '*~']);

interface CompiledPattern {
  source: string;
  regex: RegExp;
  /** true: a match excludes the path; false: a match re-includes it (`!pattern`). */
  exclude: boolean;
}

/** A compiled set of exclude patterns. */
export class ExcludeFilter {
  readonly patterns: readonly string[];
  private readonly compiled: CompiledPattern[];

  constructor(patterns: readonly string[]) {
    this.patterns = [...patterns];
    this.compiled = [];
    for (const p of patterns) {
      const c = compilePattern(p);
      if (c !== undefined) this.compiled.push(c);
    }
  }

  /** Whether the path (relative, `/`-separated) is excluded: the last matching pattern decides. */
  excludes(path: string): boolean {
    const file = path.startsWith('/') ? path.slice(1) : path.startsWith('./') ? path.slice(2) : path;
    let excluded = false;
    for (const c of this.compiled) {
      if (c.regex.test(file)) excluded = c.exclude;
    }
    return excluded;
  }

  /** The paths that no pattern excludes, sorted as in-toto sorts them (code unit order of the names). */
  filter(paths: readonly string[]): string[] {
    return [...new Set(paths.filter((p) => !this.excludes(p)))].sort(compareCodePoints);
  }
}

/** Compile the patterns, or the in-toto defaults when none are given (as 1.3.1 does for an empty list too). */
export function excludeFilterFor(patterns: readonly string[] | undefined): ExcludeFilter {
  return new ExcludeFilter(patterns !== undefined && patterns.length > 0 ? patterns : DEFAULT_EXCLUDE_PATTERNS);
}

function patternError(pattern: string, why: string): CnabTrustError {
  return new CnabTrustError('E_INTOTO_PATH', `exclude pattern '${pattern}' ${why}`, {
    subject: pattern,
    hint: 'exclude patterns are gitwildmatch patterns relative to the recording directory (e.g. "build/", "*.o")',
  });
}

/** Python's `str.strip()`: JS `\s` less U+FEFF, plus U+001C..U+001F and U+0085. */
const PY_SPACE = '[\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'gu');
function pyStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}

function compilePattern(original: string): CompiledPattern | undefined {
  let pattern = pyStrip(original);
  if (pattern === '' || pattern.startsWith('#') || pattern === '/') return undefined;
  let exclude = true;
  if (pattern.startsWith('!')) {
    exclude = false;
    pattern = pattern.slice(1);
  }
  const segs = pattern.split('/');
  if (segs.some((s) => s === '..')) throw patternError(original, 'climbs out of the recording directory');
  // Collapse consecutive `**` segments.
  for (let i = segs.length - 1; i > 0; i--) {
    if (segs[i - 1] === '**' && segs[i] === '**') segs.splice(i, 1);
  }
  let regex: string | undefined;
  if (segs.length === 2 && segs[0] === '**' && segs[1] === '') {
    // `**/` alone: everything inside any directory.
    regex = `^${ANY}+/${ANY}*${END}`;
  }
  if (segs[0] === '') {
    segs.shift(); // leading `/`: anchored at the root
  } else if (segs.length === 1 || (segs.length === 2 && segs[1] === '')) {
    if (segs[0] !== '**') segs.unshift('**'); // no inner `/`: match at any depth
  }
  if (segs.length === 0) throw patternError(original, 'is not a valid gitwildmatch pattern');
  if (segs[segs.length - 1] === '' && segs.length > 1) segs[segs.length - 1] = '**'; // trailing `/`: below it
  if (regex === undefined) {
    const out: string[] = ['^'];
    let needSlash = false;
    const end = segs.length - 1;
    segs.forEach((seg, i) => {
      if (seg === '**') {
        if (i === 0 && i === end) {
          out.push(`[^/]+(?:/${ANY}*)?`);
        } else if (i === 0) {
          out.push(`(?:${ANY}+/)?`);
          needSlash = false;
        } else if (i === end) {
          out.push(`/${ANY}*`);
        } else {
          out.push(`(?:/${ANY}+)?`);
          needSlash = true;
        }
      } else {
        if (needSlash) out.push('/');
        out.push(seg === '*' ? '[^/]+' : translateSegmentGlob(seg, original));
        if (i === end) out.push(`(?:/${ANY}*)?`);
        needSlash = true;
      }
    });
    out.push(END);
    regex = out.join('');
  }
  try {
    return { source: original, regex: new RegExp(regex, 'u'), exclude };
  } catch {
    throw patternError(original, 'is not a valid gitwildmatch pattern');
  }
}

/** Python's `.` (anything but a newline) and `$` (end, or before a final newline). */
const ANY = '[^\\n]';
const END = '(?=\\n?$)';

const SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);
function escapeChar(c: string): string {
  return SYNTAX.has(c) ? `\\${c}` : c;
}

function translateSegmentGlob(seg: string, original: string): string {
  const chars = [...seg];
  const end = chars.length;
  let out = '';
  let escape = false;
  let i = 0;
  while (i < end) {
    const c = chars[i++]!;
    if (escape) {
      escape = false;
      out += escapeChar(c);
    } else if (c === '\\') {
      escape = true;
    } else if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      let j = i;
      if (j < end && chars[j] === '!') j++;
      if (j < end && chars[j] === ']') j++;
      while (j < end && chars[j] !== ']') j++;
      if (j < end) {
        j++;
        let expr = '[';
        if (chars[i] === '!') {
          expr += '^';
          i++;
        } else if (chars[i] === '^') {
          expr += '\\^';
          i++;
        }
        // Class body up to and including the closing `]`; a `]` first in the body is literal (as in Python).
        const body = chars.slice(i, j - 1);
        expr +=
          body
            .map((ch, k) => (ch === '\\' ? '\\\\' : k === 0 && ch === ']' ? '\\]' : ch === '[' ? '\\[' : ch))
            .join('') + ']';
        out += expr;
        i = j;
      } else {
        out += '\\[';
      }
    } else {
      out += escapeChar(c);
    }
  }
  if (escape) throw patternError(original, 'ends with an escape character (\\) with nothing to escape');
  return out;
}
