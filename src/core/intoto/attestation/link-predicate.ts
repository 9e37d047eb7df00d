/**
 * The in-toto Link predicate v0.3 (https://in-toto.io/attestation/link/v0.3): a step's link (in-toto 1.0
 * metadata) restated as an attestation predicate: name, command, materials as ResourceDescriptors, byproducts,
 * environment. The link's products become subjects in the spec's own use; here the subjects stay the bundle's.
 */
import { CnabTrustError } from '../../errors.js';
import type { LinkModel } from '../metadata.js';
import type { ResourceDescriptor } from './statement.js';

export const LINK_PREDICATE_V03 = 'https://in-toto.io/attestation/link/v0.3';

export interface LinkPredicateV03 {
  name: string;
  command: string[];
  materials: ResourceDescriptor[];
  byproducts: Record<string, unknown>;
  environment: Record<string, unknown>;
}

/** The predicate of a link; its name and command must be strings here (in-toto metadata allows any values). */
export function linkPredicate(link: LinkModel): LinkPredicateV03 {
  const { name, command } = link;
  if ((name !== null && typeof name !== 'string') || !command.every((c): c is string => typeof c === 'string')) {
    throw new CnabTrustError('E_INTOTO_INVALID', `link ${JSON.stringify(name)}: the link predicate needs a string name and a command of strings`, {
      subject: String(name),
    });
  }
  return {
    name: name ?? '',
    command,
    materials: Object.keys(link.materials)
      .sort()
      .map((p) => ({ name: p, digest: { ...link.materials[p]! } })),
    byproducts: link.byproducts,
    environment: link.environment,
  };
}
