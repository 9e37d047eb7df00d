/**
 * The artifact-rule engine (in-toto spec 1.0 §4.3.3, semantics of in-toto 1.3.1 `verify_item_rules`):
 * the queue starts as every material (or product) path of the item's link; each rule consumes the paths it
 * matches; DISALLOW fails on any path still queued that matches; REQUIRE fails when the exact path is not
 * queued. Patterns are Python fnmatch patterns (`*` crosses `/`).
 */
import { CnabTrustError } from '../errors.js';
import { fnmatchMatcher } from './fnmatch.js';
import { artifactPaths, isSha256Only, type ArtifactDict, type HashDict, type LinkModel } from './metadata.js';
import type { ArtifactRule } from './rules.js';

function sameHashes(a: HashDict | undefined, b: HashDict | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/** Python dict equality of two artifact dicts (the threshold check compares whole links' artifacts). */
export function sameArtifacts(a: ArtifactDict, b: ArtifactDict): boolean {
  if (a === b) return true;
  let n = 0;
  for (const p in a) {
    if (!sameHashes(a[p], b[p])) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/** `os.path.join(a, b)` on POSIX for the relative paths rules use. */
function pyJoin(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  if (a === '' || a.endsWith('/')) return a + b;
  return a + '/' + b;
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
 * The queue of artifacts not yet consumed: the source paths in file order with a flag each. Indexed loops over
 * arrays (rather than iterating and deleting from a Set) keep a 20,000-artifact link cheap even in code the
 * JIT has not optimized yet, which is all code in a one-shot CLI run.
 */
class Queue {
  readonly paths: string[];
  readonly hashes: HashDict[];
  readonly alive: Uint8Array;
  #index: Map<string, number> | undefined;

  constructor(source: ArtifactDict) {
    this.paths = artifactPaths(source);
    this.hashes = this.paths.map((p) => source[p]!);
    this.alive = new Uint8Array(this.paths.length).fill(1);
  }

  indexOf(p: string): number {
    this.#index ??= new Map(this.paths.map((x, i) => [x, i]));
    return this.#index.get(p) ?? -1;
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
function verifyMatch(rule: Extract<ArtifactRule, { type: 'match' }>, queue: Queue, source: ArtifactDict, links: ReadonlyMap<string, LinkModel>): void {
  const dest = links.get(rule.destName);
  if (dest === undefined) return; // 1.3.1: a MATCH against a step without a link consumes nothing
  const destArtifacts = rule.destType === 'materials' ? dest.materials : dest.products;
  const match = fnmatchMatcher(rule.pattern);
  const prefix = rule.sourcePrefix === '' ? '' : pyJoin(rule.sourcePrefix, '');
  const { paths, hashes, alive } = queue;
  // Both sides only {"sha256": hex}: compare the digests, not the dictionaries.
  const digestsOnly = isSha256Only(source) && isSha256Only(destArtifacts);
  const consumed: number[] = [];
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
    const full = rule.sourcePrefix === '' ? rel : pyJoin(rule.sourcePrefix, rel);
    const destPath = rule.destPrefix === '' ? rel : pyJoin(rule.destPrefix, rel);
    if (!Object.hasOwn(destArtifacts, destPath)) continue;
    const at = full === artifact ? i : queue.indexOf(full);
    if (at < 0) continue;
    const mine = at === i ? hashes[i] : source[full];
    if (digestsOnly ? mine!.sha256 !== destArtifacts[destPath]!.sha256 : !sameHashes(mine, destArtifacts[destPath])) continue;
    consumed.push(at);
  }
  for (const at of consumed) alive[at] = 0;
}

/** Apply an item's rules to its link (in-toto verify: step rules / inspection rules). Throws E_INTOTO_RULE. */
export function verifyItemRules(rules: readonly ArtifactRule[], link: LinkModel, ctx: RuleContext): void {
  const { materials, products } = link;
  const source = ctx.sourceType === 'materials' ? materials : products;
  const queue = new Queue(source);
  const { paths, alive } = queue;
  for (const rule of rules) {
    switch (rule.type) {
      case 'match':
        verifyMatch(rule, queue, source, ctx.links);
        break;
      case 'create':
        for (const i of queue.matching(rule.pattern)) if (Object.hasOwn(products, paths[i]!) && !Object.hasOwn(materials, paths[i]!)) alive[i] = 0;
        break;
      case 'delete':
        for (const i of queue.matching(rule.pattern)) if (Object.hasOwn(materials, paths[i]!) && !Object.hasOwn(products, paths[i]!)) alive[i] = 0;
        break;
      case 'modify':
        for (const i of queue.matching(rule.pattern)) {
          const p = paths[i]!;
          if (Object.hasOwn(materials, p) && Object.hasOwn(products, p) && !sameHashes(materials[p], products[p])) alive[i] = 0;
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
        const at = queue.indexOf(rule.pattern);
        if (at < 0 || alive[at] !== 1) {
          const left = queue.remaining().sort();
          throw ruleFailure(ctx, rule, `'REQUIRE ${rule.pattern}' did not find ${rule.pattern} in: ${JSON.stringify(left)}`, left);
        }
        break;
      }
    }
  }
}
