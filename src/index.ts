/**
 * The library API of cnab-trust: what a TypeScript caller (a CI action, a runtime) imports.
 * The CLI is a thin layer over the same functions.
 */
export { CnabTrustError, type ErrorCode, ERROR_CODES, EXIT } from './core/errors.js';
export { parseJson, JsonFloat, type JsonValue, type JsonObject, type JsonParseOptions } from './core/json/index.js';
export { jcsBytes, jcsString } from './core/canonical/jcs.js';
export {
  parseBundle,
  validateBundle,
  canonicalBundle,
  canonicalizeBundleBytes,
  bundleImages,
  type Bundle,
  type BundleImage,
  type CanonicalBundle,
} from './core/cnab/index.js';
export { loadBundleFile, readBundleFile, type LoadedBundle } from './adapters/cnab/bundle-file.js';
export { digestBundleFile, canonicalizeBundleFile, validateBundleFile, type DigestReport, type CanonicalizeReport, type ValidateReport } from './workflows/bundle/file.js';
export { readThickBundle, writeThickBundle, type ThickBundleContents, type ThickBundleSource } from './adapters/archive/index.js';
export {
  getTrustedTarget,
  downloadTrustedTarget,
  withTrustedRepository,
  type TufGetOptions,
  type TrustedTarget,
} from './workflows/tuf/get.js';
export { TufClient, type TufClientOptions } from './adapters/tuf/tuf-client.js';
export { repositoryStatus, type StatusReport, type RoleStatus } from './workflows/tuf/status.js';
export { listBundles, type ListedTarget } from './adapters/tuf-repo/bundle-list.js';
export {
  signStaged,
  exportStaged,
  importStaged,
  publishStagedChange,
  discardStagedChange,
  refreshOnline,
  changeRoleKeys,
  type RotateOptions,
  type RotateReport,
  type StagedReport,
} from './workflows/tuf/metadata.js';
export { startRepositoryServer, type RepositoryServerOptions, type RunningServer } from './adapters/http/repository-server.js';
export {
  parseReference,
  tryParseReference,
  normalizeReference,
  referencesEquivalent,
  ImageReference,
  parseDigest,
  isDigest,
  parseImageLocation,
  formatImageLocation,
  type Digest,
  type DigestAlgorithm,
  type ImageLocation,
  type OciLayoutLocation,
  type RegistryLocation,
} from './core/reference/index.js';
export {
  parseRelocationMapping,
  relocationMappingToJson,
  checkRelocationMapping,
  judgeResolvedImage,
  assertRelocatedImages,
  type RelocationMapping,
  type RelocationPlan,
  type RelocationEntry,
  type RelocatedImageResult,
} from './core/relocation/index.js';
export { relocationCheck, type RelocationCheckReport } from './workflows/relocation/check.js';
export { readRelocationMapping } from './adapters/relocation/mapping-file.js';
export { verifyBundle, type VerifyBundleOptions } from './workflows/verify/bundle.js';
export { formatVerifyReport, type VerifyReport, type VerifyStep, type VerifyStepName, type VerifiedTarget } from './core/verify/report.js';
// The release story as a library: the CLI commands sign, push, relocate, verify and pipeline call these.
export { initRepository, type InitOptions, type InitReport } from './workflows/tuf/init.js';
export { signBundle, type SignOptions, type SignReport } from './workflows/tuf/sign.js';
export { push as pushBundle, type PushOptions, type PushReport } from './workflows/oci/push.js';
export { pull as pullBundle, type PullOptions, type PullReport } from './workflows/oci/pull.js';
export { relocate as relocateBundle, type RelocateOptions, type RelocateReport } from './workflows/oci/relocate.js';
export { relocationVerify, type RelocationVerifyReport } from './workflows/relocation/verify.js';
export { verifyRelocatedImages } from './adapters/oci/relocated-images.js';
export { runPipeline, type PipelineOptions, type PipelineReport } from './compositions/pipeline.js';
export type { RegistryAccess } from './adapters/oci/registry-access.js';
// in-toto authoring and attestations: the CLI commands link, layout, attest and intoto keygen call these.
export { recordArtifacts } from './adapters/intoto/artifact-recorder.js';
export type { RecordOptions, ArtifactDict as RecordedArtifacts } from './core/intoto/record/options.js';
export { linkRun, linkRecordStart, linkRecordStop, type LinkRunOptions, type LinkReport } from './workflows/intoto/link.js';
export { layoutCreate, layoutSign, layoutShow, type LayoutCreateOptions, type LayoutSignOptions, type LayoutSummary } from './workflows/intoto/layout.js';
export { parseLayoutDescription, type LayoutDescription } from './core/intoto/authoring/layout-description.js';
export { signMetadata, metadataFileText, type MetadataEnvelope } from './core/intoto/envelope.js';
export { intotoKeygen, type KeygenReport } from './workflows/intoto/keygen.js';
export { attestBundle, verifyAttestationFile, type AttestOptions, type AttestReport, type AttestVerifyReport } from './workflows/intoto/attest.js';
export { verifyAttestation, type AttestationVerification } from './core/intoto/attestation/verify-attestation.js';
export { makeStatement, checkStatement, STATEMENT_TYPE_V1, IN_TOTO_PAYLOAD_TYPE, type Statement, type ResourceDescriptor } from './core/intoto/attestation/statement.js';
export { slsaProvenance, SLSA_PROVENANCE_V1, type SlsaProvenanceV1 } from './core/intoto/attestation/slsa-provenance.js';
export { linkPredicate, LINK_PREDICATE_V03, type LinkPredicateV03 } from './core/intoto/attestation/link-predicate.js';
