/**
 * Random artifact-rule cases for the rule engine alone, checked against the python reference's
 * `verify_item_rules` run in-process (`test/fixtures/intoto/verify-item-rules.py`): thousands of cases a second,
 * and the comparison covers what a failing rule matched, not only the verdict. Paths and patterns are chosen
 * where Python and JavaScript could part: fnmatch sets (`[a-]`, `[!]]`, `[z-a]`, `[^a]`), backslashes,
 * `//`, non-ASCII, `.`-paths, IN prefixes with and without a trailing slash.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { ArtifactDict } from '../../src/core/intoto/metadata.js';
import { pick } from './intoto-random-chain.js';
import { repoRoot } from './fixtures.js';

export interface RuleCase {
  item: string;
  side: 'materials' | 'products';
  rules: string[][];
  links: Record<string, { materials: ArtifactDict; products: ArtifactDict }>;
}

/** [outcome, artifacts]: see the python script. */
export type RuleOutcome = [string, string[] | null];

const PATHS = ['a', 'b', 'a-b', 'a]', '[a]', 'a[', '^x', '!x', 'x\\y', 'dir/a', 'dir/b', 'dir/sub/a', 'out/dir/a', 'out/a', 'dir-a', '-', ']', 'a.b', 'A', '\u00e9', '\u{1f600}', 'dir//a', 'dir\\a', 'out/dir\\a', '', '.', './a', 'dir/'];
const PATTERNS = ['*', '?', '[a-]', '[!]]', '[]a]', '[z-a]', '[\\]', '*[', '[[]', '[^a]', '[a-c-e]', '[!a-]', '[--a]', '[a--]', 'dir/*', '*/a', '?/*', '[!d]*', 'a*', '*a', '[]', '[!]', '[a-z]*', '*-*', '[-]', 'x\\y', '[\\\\]*', '[\u00e9]', '\u{1f600}', '[!a]', '**', 'dir/?', '[ab]', '[a-b-]'];
const PREFIXES = ['dir', 'dir/', 'out', 'out/dir', 'dir\\', 'out\\dir', '.', './', 'dir//', ''];

function randomArtifacts(rnd: () => number): ArtifactDict {
  const d: ArtifactDict = {};
  for (const p of PATHS) if (rnd() < 0.35) d[p] = { sha256: pick(rnd, ['aa', 'bb']) };
  return d;
}

function randomRule(rnd: () => number): string[] {
  const kind = pick(rnd, ['MATCH', 'MATCH', 'MATCH', 'ALLOW', 'DISALLOW', 'REQUIRE', 'CREATE', 'DELETE', 'MODIFY']);
  const pattern = (): string => (rnd() < 0.7 ? pick(rnd, PATTERNS) : pick(rnd, PATHS));
  if (kind === 'REQUIRE') return [kind, pick(rnd, PATHS)];
  if (kind !== 'MATCH') return [kind, pattern()];
  const rule = ['MATCH', pattern()];
  if (rnd() < 0.5) rule.push('IN', pick(rnd, PREFIXES));
  rule.push('WITH', pick(rnd, ['MATERIALS', 'PRODUCTS']));
  if (rnd() < 0.5) rule.push('IN', pick(rnd, PREFIXES));
  rule.push('FROM', pick(rnd, ['s1', 's2', 'ghost']));
  return rule;
}

export function randomRuleCase(rnd: () => number): RuleCase {
  const links = { s1: { materials: randomArtifacts(rnd), products: randomArtifacts(rnd) }, s2: { materials: randomArtifacts(rnd), products: randomArtifacts(rnd) } };
  const rules = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => randomRule(rnd));
  if (rnd() < 0.7) rules.push(['DISALLOW', rnd() < 0.7 ? '*' : pick(rnd, PATTERNS)]);
  return { item: pick(rnd, ['s1', 's2']), side: pick(rnd, ['materials', 'products'] as const), rules, links };
}

/** The reference's outcome of each case (one python process for all). */
export function referenceRuleOutcomes(cases: readonly RuleCase[]): RuleOutcome[] {
  const script = path.join(repoRoot, 'test/fixtures/intoto/verify-item-rules.py');
  const r = spawnSync('/usr/bin/python3', [script], {
    input: cases.map((c) => JSON.stringify(c)).join('\n'),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8' },
  });
  if (r.status !== 0) throw new Error(`verify-item-rules.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as RuleOutcome[];
}
