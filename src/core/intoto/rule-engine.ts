/**
 * The artifact-rule engine (in-toto spec 1.0 §4.3.3, semantics of in-toto 1.3.1 `verify_item_rules`):
 * the queue starts as every material (or product) path of the item's link; each rule consumes the paths it
 * matches; DISALLOW fails on any path still queued that matches; REQUIRE fails when the exact path is not
 * queued. Patterns are Python fnmatch patterns (`*` crosses `/`).
 */
import { CnabTrustError } from '../errors.js';
import { fnmatchMatcher } from './fnmatch.js';
import type { ArtifactDict, HashDict, LinkModel } from './metadata.js';
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

function matching(queue: Set<string>, pattern: string): string[] {
  const match = fnmatchMatcher(pattern);
  const out: string[] = [];
  for (const p of queue) if (match(p)) out.push(p);
  return out;
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

function verifyMatch(rule: Extract<ArtifactRule, { type: 'match' }>, queue: Set<string>, source: ArtifactDict, links: ReadonlyMap<string, LinkModel>): string[] {
  const consumed: string[] = [];
  const dest = links.get(rule.destName);
  if (dest === undefined) return consumed; // 1.3.1: a MATCH against a step without a link consumes nothing
  const destArtifacts = rule.destType === 'materials' ? dest.materials : dest.products;
  const match = fnmatchMatcher(rule.pattern);
  const prefix = rule.sourcePrefix === '' ? '' : pyJoin(rule.sourcePrefix, '');
  for (const artifact of queue) {
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
    if (!sameHashes(source[full], destArtifacts[destPath])) continue;
    consumed.push(full);
  }
  return consumed;
}

/** Apply an item's rules to its link (in-toto verify: step rules / inspection rules). Throws E_INTOTO_RULE. */
export function verifyItemRules(rules: readonly ArtifactRule[], link: LinkModel, ctx: RuleContext): void {
  const { materials, products } = link;
  const source = ctx.sourceType === 'materials' ? materials : products;
  const queue = new Set(Object.keys(source));
  for (const rule of rules) {
    switch (rule.type) {
      case 'match':
        for (const p of verifyMatch(rule, queue, source, ctx.links)) queue.delete(p);
        break;
      case 'create':
        for (const p of matching(queue, rule.pattern)) if (Object.hasOwn(products, p) && !Object.hasOwn(materials, p)) queue.delete(p);
        break;
      case 'delete':
        for (const p of matching(queue, rule.pattern)) if (Object.hasOwn(materials, p) && !Object.hasOwn(products, p)) queue.delete(p);
        break;
      case 'modify':
        for (const p of matching(queue, rule.pattern)) {
          if (Object.hasOwn(materials, p) && Object.hasOwn(products, p) && !sameHashes(materials[p], products[p])) queue.delete(p);
        }
        break;
      case 'allow':
        for (const p of matching(queue, rule.pattern)) queue.delete(p);
        break;
      case 'disallow': {
        const hit = matching(queue, rule.pattern);
        if (hit.length > 0) {
          hit.sort();
          throw ruleFailure(ctx, rule, `'DISALLOW ${rule.pattern}' matched the following artifacts: ${JSON.stringify(hit)}`, hit);
        }
        break;
      }
      case 'require':
        if (!queue.has(rule.pattern)) {
          const left = [...queue].sort();
          throw ruleFailure(ctx, rule, `'REQUIRE ${rule.pattern}' did not find ${rule.pattern} in: ${JSON.stringify(left)}`, left);
        }
        break;
    }
  }
}
