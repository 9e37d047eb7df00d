/**
 * SLSA Provenance v1 predicate (https://slsa.dev/spec/v1.0/provenance), the fields we fill: how a CNAB bundle
 * was built (buildDefinition) and by whom (runDetails). Types written from the specification.
 */
import type { ResourceDescriptor } from './statement.js';

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/** The build type cnab-trust records when it attests a bundle it did not build itself. */
export const CNAB_BUNDLE_BUILD_TYPE = 'urn:cnab-trust:build-type:cnab-bundle:v1';

export interface SlsaProvenanceV1 {
  buildDefinition: {
    buildType: string;
    externalParameters: Record<string, unknown>;
    internalParameters?: Record<string, unknown>;
    resolvedDependencies?: ResourceDescriptor[];
  };
  runDetails: {
    builder: { id: string; version?: Record<string, string>; builderDependencies?: ResourceDescriptor[] };
    metadata?: { invocationId?: string; startedOn?: string; finishedOn?: string };
    byproducts?: ResourceDescriptor[];
  };
}

export interface SlsaProvenanceInput {
  builderId: string;
  buildType?: string;
  externalParameters: Record<string, unknown>;
  resolvedDependencies?: ResourceDescriptor[];
  startedOn?: Date;
  finishedOn?: Date;
  invocationId?: string;
}

/** RFC 3339 without fractional seconds. */
function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function slsaProvenance(input: SlsaProvenanceInput): SlsaProvenanceV1 {
  const metadata: NonNullable<SlsaProvenanceV1['runDetails']['metadata']> = {};
  if (input.invocationId !== undefined) metadata.invocationId = input.invocationId;
  if (input.startedOn !== undefined) metadata.startedOn = timestamp(input.startedOn);
  if (input.finishedOn !== undefined) metadata.finishedOn = timestamp(input.finishedOn);
  return {
    buildDefinition: {
      buildType: input.buildType ?? CNAB_BUNDLE_BUILD_TYPE,
      externalParameters: input.externalParameters,
      ...(input.resolvedDependencies && input.resolvedDependencies.length > 0 ? { resolvedDependencies: input.resolvedDependencies } : {}),
    },
    runDetails: {
      builder: { id: input.builderId },
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    },
  };
}
