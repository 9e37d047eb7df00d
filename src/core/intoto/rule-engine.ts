/**
 * The artifact-rule engine (in-toto spec 1.0 §4.3.3, semantics of in-toto 1.3.1 `verify_item_rules`):
 * the queue starts as every material (or product) path of the item's link; each rule consumes the paths it
 * matches; DISALLOW fails on any path still queued that matches; REQUIRE fails when the exact path is not
 * queued. Patterns are Python fnmatch patterns (`*` crosses `/`).
 */
import { CnabTrustError } from '../errors.js';
import { fnmatchMatcher } from './fnmatch.js';
import { linkArtifacts, type ArtifactTable } from './artifact-table.js';
import type { LinkModel } from './metadata.js';
import type { ArtifactRule } from './rules.js';

/** `os.path.join(a, b)` on POSIX for the relative paths rules use. */
function pyJoin(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  if (a === '' || a.endsWith('/')) return a + b;
  return a + '/' + b;
}

/**
 * A MATCH path joined to its IN prefix, as 1.3.1 `verify_match_rule` forms it: `os.path.join(prefix,
 * path).replace("\\", "/")`, so a backslash anywhere in the prefix or the path becomes a slash. Only where a
 * prefix is given: a path without a prefix on its side is taken as it is.
 */
function joinPrefix(prefix: string, p: string): string {
  return pyJoin(prefix, p).replaceAll('\\', '/');
}

export interface RuleContext {
  /** The item (step or inspection) whose rules these are. */
  item: string;
  /** Which of its link's artifact lists the queue holds. */
  sourceType: 'materials' | 'products';
  /** Links by step/inspection name, for MATCH ... FROM. */
  links: ReadonlyMap<string, LinkModel>;
}

function ruleFailure(ctx: RuleContext, rule: ArtifactRule, message: string, artifacts: string[]): CnabTrustError {
  return new CnabTrustError('E_INTOTO_RULE', `${ctx.item} expected_${ctx.sourceType}: ${message}`, {
    subject: `${ctx.item}: ${rule.text}`,
    details: { step: ctx.item, artifactType: ctx.sourceType, rule: rule.text, artifacts },
  });
}

/**
 * The queue of artifacts not yet consumed: the source table's paths with a flag each. Indexed loops over
 * arrays (rather than iterating and deleting from a Set) keep a 20,000-artifact link cheap even in code the
 * JIT has not optimized yet, which is all code in a one-shot CLI run.
 */
class Queue {
  readonly paths: readonly string[];
  readonly alive: Uint8Array;

  constructor(readonly source: ArtifactTable) {
    this.paths = source.paths;
    this.alive = new Uint8Array(this.paths.length).fill(1);
  }

  /** Paths still queued that match the pattern. */
  matching(pattern: string): number[] {
    const match = fnmatchMatcher(pattern);
    const { paths, alive } = this;
    const out: number[] = [];
    for (let i = 0; i < paths.length; i++) if (alive[i] === 1 && match(paths[i]!)) out.push(i);
    return out;
  }

  remaining(): string[] {
    return this.paths.filter((_, i) => this.alive[i] === 1);
  }
}

/** MATCH: consume queued source artifacts whose hashes equal the destination step's artifacts (1.3.1 verify_match_rule). */
function verifyMatch(rule: Extract<ArtifactRule, { type: 'match' }>, queue: Queue, links: ReadonlyMap<string, LinkModel>): void {
  const dest = links.get(rule.destName);
  if (dest === undefined) return; // 1.3.1: a MATCH against a step without a link consumes nothing
  const destArtifacts = linkArtifacts(dest, rule.destType);
  const match = fnmatchMatcher(rule.pattern);
  const prefix = rule.sourcePrefix === '' ? '' : joinPrefix(rule.sourcePrefix, '');
  const { paths, alive, source } = queue;
  const consumed: number[] = [];
  // Where the previous match was found in the destination: both lists are usually in the same order.
  let hint = -1;
  for (let i = 0; i < paths.length; i++) {
    if (alive[i] !== 1) continue;
    const artifact = paths[i]!;
    let rel: string;
    if (prefix !== '') {
      if (!artifact.startsWith(prefix)) continue;
      rel = artifact.slice(prefix.length);
    } else {
      rel = artifact;
    }
    if (!match(rel)) continue;
    const full = rule.sourcePrefix === '' ? rel : joinPrefix(rule.sourcePrefix, rel);
    const destPath = rule.destPrefix === '' ? rel : joinPrefix(rule.destPrefix, rel);
    const j = destArtifacts.indexOf(destPath, hint + 1);
    if (j < 0) continue;
    hint = j;
    // 1.3.1 looks the joined path up among the source artifacts: it may be another queued artifact than the one
    // filtered (`a\\b` -> `a/b`), or none, where 1.3.1 fails with a KeyError (a crash; here nothing is consumed).
    const at = full === artifact ? i : source.indexOf(full);
    if (at < 0) continue;
    if (!source.sameHashes(at, destArtifacts, j)) continue;
    consumed.push(at);
  }
  for (const at of consumed) alive[at] = 0;
}

/** Apply an item's rules to its link (in-toto verify: step rules / inspection rules). Throws E_INTOTO_RULE. */
export function verifyItemRules(rules: readonly ArtifactRule[], link: LinkModel, ctx: RuleContext): void {
  const materials = linkArtifacts(link, 'materials');
  const products = linkArtifacts(link, 'products');
  const queue = new Queue(ctx.sourceType === 'materials' ? materials : products);
  const { paths, alive } = queue;
  // Whether queued artifact i is among the materials / products (trivially so for the list the queue holds).
  const inMaterials = (i: number): boolean => queue.source === materials || materials.has(paths[i]!);
  const inProducts = (i: number): boolean => queue.source === products || products.has(paths[i]!);
  for (const rule of rules) {
    switch (rule.type) {
      case 'match':
        verifyMatch(rule, queue, ctx.links);
        break;
      case 'create':
        for (const i of queue.matching(rule.pattern)) if (inProducts(i) && !inMaterials(i)) alive[i] = 0;
        break;
      case 'delete':
        for (const i of queue.matching(rule.pattern)) if (inMaterials(i) && !inProducts(i)) alive[i] = 0;
        break;
      case 'modify':
        for (const i of queue.matching(rule.pattern)) {
          const p = paths[i]!;
          const m = materials.indexOf(p);
          const q = products.indexOf(p);
          if (m >= 0 && q >= 0 && !materials.sameHashes(m, products, q)) alive[i] = 0;
        }
        break;
      case 'allow':
        for (const i of queue.matching(rule.pattern)) alive[i] = 0;
        break;
      case 'disallow': {
        const hit = queue.matching(rule.pattern).map((i) => paths[i]!);
        if (hit.length > 0) {
          hit.sort();
          throw ruleFailure(ctx, rule, `'DISALLOW ${rule.pattern}' matched the following artifacts: ${JSON.stringify(hit)}`, hit);
        }
        break;
      }
      case 'require': {
        const at = queue.source.indexOf(rule.pattern);
        if (at < 0 || alive[at] !== 1) {
          const left = queue.remaining().sort();
          throw ruleFailure(ctx, rule, `'REQUIRE ${rule.pattern}' did not find ${rule.pattern} in: ${JSON.stringify(left)}`, left);
        }
        break;
      }
    }
  }
}
