/**
 * Parsing of `WWW-Authenticate` challenges (RFC 7235 §4.1) as registries send them:
 * `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:org/app:pull"`
 * or `Basic realm="Registry Realm"`. Written by hand: the grammar is small and no maintained npm package parses
 * multiple challenges with quoted commas without pulling in an HTTP framework.
 */

export interface Challenge {
  /** Lower-case scheme: `basic`, `bearer`, ... */
  scheme: string;
  /** Lower-case parameter names. */
  params: Record<string, string>;
}

export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (header === null || header === undefined) return [];
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skipWs = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < s.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    skipWs();
    const scheme = token();
    if (scheme.length === 0) {
      i++;
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    // parameters: name=value or name="quoted", separated by commas, until the next bare token (a new scheme)
    for (;;) {
      skipWs();
      const save = i;
      const name = token();
      while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
      if (name.length === 0 || s[i] !== '=') {
        i = save;
        break;
      }
      i++; // '='
      while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++; // closing quote
      } else {
        const start = i;
        while (i < s.length && s[i] !== ',' && s[i] !== ' ') i++;
        value = s.slice(start, i);
      }
      challenge.params[name.toLowerCase()] = value;
    }
  }
  return out;
}
