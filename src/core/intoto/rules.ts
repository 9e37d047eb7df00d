/**
 * Artifact rules (in-toto spec 1.0 §4.3.3; syntax as in-toto 1.3.1 `rulelib.unpack_rule`, keywords
 * case-insensitive):
 *   MATCH <pattern> [IN <source-prefix>] WITH (MATERIALS|PRODUCTS) [IN <destination-prefix>] FROM <step>
 *   CREATE|DELETE|MODIFY|ALLOW|DISALLOW <pattern>,  REQUIRE <file>
 * A rule that does not parse is E_INTOTO_INVALID with the rule and where it is in the subject.
 */
import { CnabTrustError } from '../errors.js';
import { checkRulePath } from './paths.js';

export type GenericRuleType = 'create' | 'delete' | 'modify' | 'allow' | 'disallow' | 'require';

export type ArtifactRule =
  | { type: GenericRuleType; pattern: string; text: string }
  | {
      type: 'match';
      pattern: string;
      sourcePrefix: string;
      destType: 'materials' | 'products';
      destPrefix: string;
      destName: string;
      text: string;
    };

const GENERIC = new Set<string>(['create', 'delete', 'modify', 'allow', 'disallow', 'require']);

const SYNTAX =
  'MATCH <pattern> [IN <prefix>] WITH (MATERIALS|PRODUCTS) [IN <prefix>] FROM <step>, ' +
  'CREATE|DELETE|MODIFY|ALLOW|DISALLOW <pattern>, REQUIRE <file>';

function ruleError(rule: readonly string[], where: string, why: string): CnabTrustError {
  const text = rule.join(' ');
  return new CnabTrustError('E_INTOTO_INVALID', `${where}: rule '${text}' does not parse: ${why}`, {
    subject: `${where}: ${text}`,
    hint: `rules have the forms ${SYNTAX}`,
  });
}

/** Parse one rule (a list of strings as in a layout). `where` names the layout, item and rule index. */
export function parseRule(rule: readonly string[], where: string): ArtifactRule {
  const lower = rule.map((r) => r.toLowerCase());
  const text = rule.join(' ');
  if (rule.length < 2) throw ruleError(rule, where, 'a rule has a keyword and a pattern');
  const kw = lower[0]!;
  const pattern = rule[1]!;
  if (GENERIC.has(kw)) {
    if (rule.length !== 2) throw ruleError(rule, where, `${rule[0]!.toUpperCase()} takes exactly one pattern`);
    checkRulePath(pattern, where);
    return { type: kw as GenericRuleType, pattern, text };
  }
  if (kw !== 'match') throw ruleError(rule, where, `unknown keyword '${rule[0]}'`);
  let sourcePrefix = '';
  let destPrefix = '';
  let destType: string;
  let destName: string;
  const n = rule.length;
  if (n === 10 && lower[2] === 'in' && lower[4] === 'with' && lower[6] === 'in' && lower[8] === 'from') {
    [sourcePrefix, destType, destPrefix, destName] = [rule[3]!, lower[5]!, rule[7]!, rule[9]!];
  } else if (n === 8 && lower[2] === 'in' && lower[4] === 'with' && lower[6] === 'from') {
    [sourcePrefix, destType, destName] = [rule[3]!, lower[5]!, rule[7]!];
  } else if (n === 8 && lower[2] === 'with' && lower[4] === 'in' && lower[6] === 'from') {
    [destType, destPrefix, destName] = [lower[3]!, rule[5]!, rule[7]!];
  } else if (n === 6 && lower[2] === 'with' && lower[4] === 'from') {
    [destType, destName] = [lower[3]!, rule[5]!];
  } else {
    throw ruleError(rule, where, 'MATCH needs WITH (MATERIALS|PRODUCTS) ... FROM <step>');
  }
  if (destType !== 'materials' && destType !== 'products') throw ruleError(rule, where, 'the destination must be MATERIALS or PRODUCTS');
  for (const p of [pattern, sourcePrefix, destPrefix]) checkRulePath(p, where);
  return { type: 'match', pattern, sourcePrefix, destType, destPrefix, destName, text };
}
