/**
 * The in-toto Link predicate v0.3 (https://in-toto.io/attestation/link/v0.3): a step's link (in-toto 1.0
 * metadata) restated as an attestation predicate: name, command, materials as ResourceDescriptors, byproducts,
 * environment. The link's products become subjects in the spec's own use; here the subjects stay the bundle's.
 */
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

export function linkPredicate(link: LinkModel): LinkPredicateV03 {
  return {
    name: link.name ?? '',
    command: link.command,
    materials: Object.keys(link.materials)
      .sort()
      .map((p) => ({ name: p, digest: { ...link.materials[p]! } })),
    byproducts: link.byproducts,
    environment: link.environment,
  };
}
