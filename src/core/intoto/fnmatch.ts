/**
 * Python `fnmatch` patterns (what in-toto 1.3.1 matches artifact paths with), compiled to RegExp:
 * `*` matches any run of characters INCLUDING `/`, `?` one character, `[seq]` / `[!seq]` a set;
 * an unclosed `[` is literal; matching is case-sensitive (POSIX `normcase` is the identity).
 * Written by hand because minimatch/picomatch implement shell globs (`*` stops at `/`).
 */
const cache = new Map<string, RegExp>();

/** Escape a character outside a set (under the `u` flag only syntax characters and `/` may be escaped). */
function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? '\\' + c : c;
}

/** Escape a character inside a set (`-` too). */
function escapeSet(c: string): string {
  return c === '-' ? '\\-' : escapeRe(c);
}

/** Translate a set body (between `[` and `]`) the way Python 3.11 does, dropping empty ranges like `z-a`. */
function translateSet(stuff: string): string {
  let negate = false;
  let s = stuff;
  if (s.startsWith('!')) {
    negate = true;
    s = s.slice(1);
  }
  const cps = Array.from(s);
  let out = '';
  let members = 0;
  for (let i = 0; i < cps.length; i++) {
    const a = cps[i]!;
    if (cps[i + 1] === '-' && i + 2 < cps.length) {
      const b = cps[i + 2]!;
      if (a.codePointAt(0)! <= b.codePointAt(0)!) {
        out += escapeSet(a) + '-' + escapeSet(b);
        members++;
      }
      i += 2;
    } else {
      out += escapeSet(a);
      members++;
    }
  }
  if (members === 0) return negate ? '[\\s\\S]' : '(?!)';
  return '[' + (negate ? '^' : '') + out + ']';
}

export function translateFnmatch(pattern: string): string {
  const p = Array.from(pattern);
  let res = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i++]!;
    if (c === '*') {
      while (p[i] === '*') i++;
      res += '[\\s\\S]*';
    } else if (c === '?') {
      res += '[\\s\\S]';
    } else if (c === '[') {
      let j = i;
      if (p[j] === '!') j++;
      if (p[j] === ']') j++;
      while (j < p.length && p[j] !== ']') j++;
      if (j >= p.length) {
        res += '\\[';
      } else {
        res += translateSet(p.slice(i, j).join(''));
        i = j + 1;
      }
    } else {
      res += escapeRe(c);
    }
  }
  return '^' + res + '$';
}

/** The compiled form of a pattern (cached: a rule is applied to thousands of paths). */
export function fnmatchRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re === undefined) {
    // Code-point semantics (`u`) matter only where a pattern matches single characters (`?`, sets).
    re = new RegExp(translateFnmatch(pattern), /[?[]/.test(pattern) ? 'u' : '');
    cache.set(pattern, re);
  }
  return re;
}

/** A matcher for one pattern: common shapes (`*`, `dir/*`, a literal name) skip the regular expression. */
export type PathMatcher = (name: string) => boolean;

const matcherCache = new Map<string, PathMatcher>();

export function fnmatchMatcher(pattern: string): PathMatcher {
  let m = matcherCache.get(pattern);
  if (m !== undefined) return m;
  const firstMeta = pattern.search(/[*?[]/);
  if (firstMeta < 0) {
    m = (name) => name === pattern; // a literal
  } else if (pattern === '*') {
    m = () => true; // `*` matches everything, `/` included
  } else if (firstMeta === pattern.length - 1 && pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    m = (name) => name.startsWith(prefix); // `prefix*`
  } else {
    const re = fnmatchRegExp(pattern);
    m = (name) => re.test(name);
  }
  matcherCache.set(pattern, m);
  return m;
}

export function fnmatch(name: string, pattern: string): boolean {
  return fnmatchRegExp(pattern).test(name);
}
