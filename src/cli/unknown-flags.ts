/**
 * The usage error for flags a command does not know: each named once as typed (`--trust-root`, not also yargs'
 * camelCase copy `trustRoot`), with the nearest known flag as a did-you-mean (`--trusted-root`).
 */

/** yargs' "Unknown argument(s): a, b" message: the names it lists, or undefined for another message. */
export function unknownArgumentNames(message: string): string[] | undefined {
  const m = /^Unknown arguments?: (.*)$/s.exec(message);
  return m === undefined || m === null ? undefined : m[1]!.split(', ').filter((s) => s.length > 0);
}

/** The flags of argv (`--name`, `--name=value`, `-n`) as their names, in the order typed. */
function flagsTyped(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    if (a === '--') break;
    const m = /^--?(?:no-)?([^=]+)/.exec(a);
    if (m !== null && a !== '-') out.push(m[1]!);
  }
  return out;
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment). Written here: a dozen lines, where a
 * dependency would be larger than the code it saves; yargs has one, but not as public API.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known flag nearest to `typed`, if it is near enough to be what was meant. */
export function nearestFlag(typed: string, known: readonly string[]): string | undefined {
  let best: { flag: string; distance: number } | undefined;
  for (const flag of known) {
    if (flag.length < 2) continue;
    // a prefix of a known flag (--trusted for --trusted-root) counts as near
    const distance = flag.startsWith(typed) && typed.length >= 3 ? 1 : editDistance(typed, flag);
    if (best === undefined || distance < best.distance) best = { flag, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(typed.length / 3)) ? best.flag : undefined;
}

export interface UnknownFlagsReport {
  message: string;
  hint: string;
}

/**
 * Rewrite yargs' unknown-argument message. `listed` is what yargs named (typed names plus their camelCase copies,
 * and stray positionals), `known` every flag name of the command (kebab-case; camelCase copies are ignored).
 */
export function describeUnknown(listed: readonly string[], argv: readonly string[], known: readonly string[]): UnknownFlagsReport {
  const typed = flagsTyped(argv);
  const listedSet = new Set(listed);
  const flags = [...new Set(typed.filter((f) => listedSet.has(f)))];
  const covered = new Set(flags.flatMap((f) => [f, camelCase(f)]));
  const positionals = listed.filter((s) => !covered.has(s));
  const kebabKnown = known.filter((k) => !/[A-Z]/.test(k) || k.length === 1);
  const parts: string[] = [];
  const suggestions: string[] = [];
  for (const f of flags) {
    const dash = f.length === 1 ? '-' : '--';
    parts.push(`${dash}${f}`);
    const near = nearestFlag(f, kebabKnown);
    if (near !== undefined) suggestions.push(`${dash}${f}: did you mean ${near.length === 1 ? '-' : '--'}${near}?`);
  }
  for (const p of positionals) parts.push(p);
  const message = `unknown ${flags.length > 0 && positionals.length === 0 ? 'flag' : 'argument'}${parts.length > 1 ? 's' : ''}: ${parts.join(', ')}`;
  const hint = suggestions.length > 0 ? suggestions.join('; ') : "run 'cnab-trust <command> --help' for usage";
  return { message, hint };
}

function camelCase(s: string): string {
  return s.replace(/-+([^-])/g, (_, c: string) => c.toUpperCase());
}
