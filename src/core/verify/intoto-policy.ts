/**
 * Whether a bundle's in-toto supply chain is required, decided by the top-level `targets` role (offline), never
 * by the delegated role that signs bundles. CNAB-Sec 301 gives `targets` the layout and its
 * keys; a release engineer's `targets/releases` key (online in CI) signs the bundle target and its `custom.in-toto`
 * listing, so it could drop that listing and switch in-toto off. The policy closes that:
 *
 *  - `targets` signs a per-GUN policy target `<gun>/cnab-trust/policy.json` holding `{"in-toto":"required"}`
 *    (`cnab-trust sign` writes it whenever it signs a root layout);
 *  - the verifier looks the policy up through TUF; only a listing by `targets` counts;
 *  - an operator may require in-toto on their own (`verify --require-intoto`);
 *  - when in-toto is required, a bundle target without a `custom.in-toto` listing is refused (E_INTOTO_REQUIRED).
 */
import { CnabTrustError } from '../errors.js';
import { parseJson } from '../json/index.js';
import { TOP_LEVEL_TARGETS_ROLE } from './intoto-targets.js';

/** The target name of a GUN's policy, signed by `targets`. */
export function policyTargetName(gun: string): string {
  return `${gun}/cnab-trust/policy.json`;
}

/** The GUN of a bundle target `<gun>:<tag>` (what follows the last ':' after the last '/' is the tag). */
export function gunOfTarget(targetName: string): string | undefined {
  const colon = targetName.lastIndexOf(':');
  return colon > targetName.lastIndexOf('/') ? targetName.slice(0, colon) : undefined;
}

export interface IntotoPolicy {
  'in-toto': 'required' | 'optional';
}

/** The bytes `sign` publishes when a root layout is signed. */
export function requiredPolicyBytes(): Uint8Array {
  return Buffer.from('{"in-toto":"required"}\n');
}

/** Read a policy file (strict JSON, bounded): an object whose `in-toto` is `required` or `optional`. */
export function parseIntotoPolicy(bytes: Uint8Array, source: string): IntotoPolicy {
  const value = parseJson(bytes, { source, maxBytes: 64 * 1024 });
  const mode = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)['in-toto'] : undefined;
  if (mode !== 'required' && mode !== 'optional') {
    throw new CnabTrustError('E_INTOTO_INVALID', `${source} is not a cnab-trust policy: "in-toto" must be "required" or "optional"`, { subject: source });
  }
  return { 'in-toto': mode };
}

/** What the verifier found: the policy target (if any) and the role that listed it. */
export interface PolicyLookup {
  name: string;
  /** Absent when no role lists the policy. */
  role?: string;
  policy?: IntotoPolicy;
}

export interface IntotoRequirement {
  required: boolean;
  /** Why, in one sentence for the report. */
  reason: string;
}

/** Decide whether in-toto is required: the operator's flag, or a policy listed by the top-level `targets` role. */
export function decideIntotoRequirement(lookup: PolicyLookup, operatorRequires: boolean): IntotoRequirement {
  const byTargets = lookup.role === TOP_LEVEL_TARGETS_ROLE && lookup.policy !== undefined;
  if (byTargets && lookup.policy!['in-toto'] === 'required') {
    return { required: true, reason: `in-toto required by policy ${lookup.name}, signed by targets` };
  }
  if (operatorRequires) return { required: true, reason: 'in-toto required by the operator (--require-intoto)' };
  if (lookup.role !== undefined && !byTargets) {
    return { required: false, reason: `policy ${lookup.name} is listed by ${lookup.role}, not by targets: ignored` };
  }
  return { required: false, reason: byTargets ? `policy ${lookup.name} (targets) leaves in-toto optional` : `no policy ${lookup.name} signed by targets` };
}

/** E_INTOTO_REQUIRED: the bundle target lists no in-toto metadata although in-toto is required. */
export function intotoMissing(targetName: string, requirement: IntotoRequirement): CnabTrustError {
  return new CnabTrustError('E_INTOTO_REQUIRED', `target ${targetName} lists no in-toto metadata, but ${requirement.reason}`, {
    subject: targetName,
    hint: 'a signer of releases dropped the supply chain, or the release was signed without its links: do not install it',
  });
}
