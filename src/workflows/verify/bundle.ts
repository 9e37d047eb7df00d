/**
 * `cnab-trust verify`: the CNAB-Sec 303 verification workflow, stopping at the first failure. Its stages, in order,
 * with the specification's step numbers (docs/architecture.md §4):
 *
 *  tuf         CNAB-Sec 303 step 3: refresh the metadata from the trusted root and find the target `<gun>:<tag>`
 *              (TUF client workflow 5.3–5.6 through tuf-js). Only the trusted target (length, hashes, custom) goes
 *              on; nothing of the untrusted metadata reaches a later stage.
 *  bundle      CNAB-Sec 303 steps 1, 2 and 4: fetch the bundle (registry, OCI layout directory, local bundle.json,
 *              archive) and compare its exact bytes with the signed length and hashes (E_LENGTH_MISMATCH,
 *              E_DIGEST_MISMATCH) before parsing them. From a registry or layout the bundle blob's size is compared
 *              before it is even read.
 *  images      CNAB 200 (no CNAB-Sec 303 step): every image has a contentDigest; pulled from a registry or layout,
 *              the index descriptors agree with them and every image manifest is there with exactly that digest.
 *  relocation  CNAB 103 (no CNAB-Sec 303 step): with a relocation mapping, every image is mapped, and every
 *              relocated image resolves, in its registry, to its signed contentDigest.
 *  in-toto     CNAB-Sec 303 steps 5, 6 and 7: required when `targets` signs a policy saying so for the GUN (or
 *              `requireIntoto`), and a target without a listing then fails. When the target's custom `in-toto`
 *              lists metadata: the root layout and its keys are fetched through TUF and must be targets of the
 *              top-level `targets` role, the links through TUF too; the supply chain is verified and its final
 *              product must be the bundle.
 *  the report  (core/verify/report.ts): every stage that ran, what it checked, the verdict, the first error;
 *              written to `reportPath` too (atomically) whatever the verdict, as `pipeline` writes its own.
 *
 * Verification failures (and I/O failures on the way) end in a report with `verified: false`; only misuse
 * (missing options) throws.
 */
import path from 'node:path';
import { CnabTrustError, isCnabTrustError } from '../../core/errors.js';
import {
  bundleImages,
  canonicalizeBundleBytes,
  cnabGoMarshal,
  DEFAULT_MAX_BUNDLE_BYTES,
  parseBundle,
  parseBundleDocument,
  sha256Digest,
  type Bundle,
} from '../../core/cnab/index.js';
import { jcsBytes } from '../../core/canonical/jcs.js';
import { sha256Hex } from '../../core/crypto/sha256.js';
import { parseImageLocation } from '../../core/reference/index.js';
import { assertImagesPinned, imageLabel } from '../../core/relocation/check.js';
import { checkSignedArtifact, isSignedArtifact, lengthMismatch, sameTargetFile, type CheckedArtifact } from '../../core/verify/signed-artifact.js';
import { VerifyReportBuilder, type VerifyReport, type VerifyStepName } from '../../core/verify/report.js';
import {
  assertFinalProduct,
  assertLayoutKeyRole,
  assertLayoutRole,
  bundleIntotoListing,
  finalProductSegments,
  layoutKeyTargets,
  linkPathSegments,
  LazyLinkSource,
  productWithSha256,
  TOP_LEVEL_TARGETS_ROLE,
  type BundleIntotoListing,
} from '../../core/verify/intoto-targets.js';
import {
  decideIntotoRequirement,
  gunOfTarget,
  intotoMissing,
  parseIntotoPolicy,
  policyTargetName,
  type IntotoRequirement,
} from '../../core/verify/intoto-policy.js';
import { createFileExclusiveSync, isDirectory, isRegularFile, pathExists, readFileBounded, regularFileSize, writeFileAtomic } from '../../adapters/fs/index.js';
import { describeFetchedChecks, type RelocationMapping } from '../../core/relocation/index.js';
import { matchStoredBundle, readStoredBundleIndex, type StoredBundleIndex } from '../../adapters/oci/stored-bundle.js';
import type { RegistryAccess } from '../../adapters/oci/registry-access.js';
import type { ExtractedArchive } from '../../adapters/archive/extracted.js';
import { TufClient, type TrustedTarget } from '../../adapters/tuf/tuf-client.js';
import type { HttpOptions } from '../../adapters/tuf/routing-fetcher.js';

export type { VerifyReport } from '../../core/verify/report.js';

export interface VerifyBundleOptions {
  /** What to verify: a registry reference, `oci:<dir>[:<tag>]`, or a local `bundle.json`. */
  bundle: string;
  /** The root you trust, as bytes or as a file path. */
  trustedRoot?: Uint8Array;
  trustedRootPath?: string;
  /** The TUF repository: an http(s) URL or a directory (not needed with `map`). */
  metadata?: string;
  /** Target files of the repository (default `<metadata>/targets`). */
  targets?: string;
  /**
   * The TUF target `<gun>:<tag>` the bundle must match. Default: the reference given (registry references only).
   * Give the original reference when verifying a relocated copy.
   */
  target?: string;
  /** A CNAB 103 relocation mapping (file path, or already parsed): every relocated image is resolved live. */
  relocationMapping?: string | RelocationMapping;
  /** TAP 4: resolve the target across the repositories of this map file (with `trustedRootsDir`), not `metadata`. */
  map?: string;
  /** TAP 4: directory holding `<repository>.root.json` for each repository of the map file. */
  trustedRootsDir?: string;
  /** How registries are reached (plain HTTP, credentials). */
  registry?: RegistryAccess;
  /** Run the layout's inspections (default true). CNAB-Sec 303 asks runtimes to bound them: we do (timeout, scratch copy). */
  inspections?: boolean;
  /** Also run the inspections of sublayouts, which a functionary (not the layout owner) chose (default false). */
  sublayoutInspections?: boolean;
  inspectionTimeoutMs?: number;
  /** Require an in-toto supply chain for this bundle whatever the repository's policy says (`--require-intoto`). */
  requireIntoto?: boolean;
  /**
   * Trusted-metadata directory kept between runs (rollback protection); without it a fresh temporary one (the CLI
   * gives a persistent per-repository one unless --no-cache). The report says which.
   */
  cacheDir?: string;
  /** The clock for every expiry check (TUF roles, in-toto layout). */
  now?: () => Date;
  http?: HttpOptions;
  /** Called as each stage ends (progress for long verifications). */
  onStep?: (step: VerifyReport['steps'][number]) => void;
  /** Also write the JSON report to this file, whatever the verdict. */
  reportPath?: string;
}

/** The exact bytes of the bundle as fetched, and where they came from. */
interface FetchedBundle {
  bytes: Uint8Array;
  /** How the bytes are named in messages. */
  what: string;
  /** Pulled from a registry or an OCI layout: the index it came with. */
  stored?: StoredBundleIndex;
  /** From a thick bundle archive: where its image layout was extracted, and whether the archive itself is signed. */
  archive?: { layoutDir: string; signedAsArchive: boolean; digest: string; length: number };
}

/** What the stages pass on: only verified facts. */
interface Verified {
  target: TrustedTarget;
  role: string;
  artifact: CheckedArtifact;
  bundle: Bundle;
  bundleBytes: Uint8Array;
  stored?: StoredBundleIndex;
  archive?: FetchedBundle['archive'];
}

/** Run CNAB-Sec 303 on one bundle and return the report (see the module comment for the stages). */
export async function verifyBundle(options: VerifyBundleOptions): Promise<VerifyReport> {
  const report = await verifyStages(options);
  if (options.reportPath !== undefined) await writeFileAtomic(options.reportPath, JSON.stringify(report, null, 2) + '\n');
  return report;
}

async function verifyStages(options: VerifyBundleOptions): Promise<VerifyReport> {
  if (options.map === undefined) {
    if (options.metadata === undefined && !(await isArchiveFile(options.bundle))) {
      throw new CnabTrustError('E_USAGE', 'give --metadata <url|dir> (or --map)', { subject: '--metadata' });
    }
    if (options.trustedRoot === undefined && options.trustedRootPath === undefined && options.cacheDir === undefined) {
      throw new CnabTrustError('E_USAGE', 'no trusted root: give --trusted-root root.json', { subject: '--trusted-root' });
    }
  } else if (options.trustedRootsDir === undefined) {
    throw new CnabTrustError('E_USAGE', 'with --map give --trusted-roots DIR (<repository>.root.json per repository)', { subject: '--trusted-roots' });
  }
  // files named on the command line are read before any request: a wrong path or a bad mapping fails at once, not
  // after the TUF refresh and the registry
  if (typeof options.relocationMapping === 'string') options = { ...options, relocationMapping: await readMapping(options.relocationMapping) };
  if (options.reportPath !== undefined) await assertDirectoryOf(options.reportPath, '--report');
  // a thick bundle archive (CNAB 104/805) is extracted first: it may carry the target's name and its TUF metadata
  let extracted: ExtractedArchive | undefined;
  if (await isArchiveFile(options.bundle)) {
    try {
      // only the TUF metadata (and the layout's index) before TUF is consulted; the blobs the verified bundle
      // references come in the bundle stage (a gzip bomb must not be expanded before TUF is asked)
      extracted = await (await import('../../adapters/archive/extracted.js')).extractArchive(options.bundle, 'tuf');
    } catch (e) {
      // an archive that cannot be read safely is a failure of the bundle stage (nothing was trusted yet)
      if (!isCnabTrustError(e) || e.category === 'usage' || e.category === 'internal') throw e;
      return new VerifyReportBuilder(options.bundle).fail('bundle', e);
    }
  }
  if (extracted !== undefined && options.map === undefined && options.metadata === undefined && extracted.metadataDir === undefined) {
    await extracted.dispose();
    throw new CnabTrustError('E_USAGE', `${options.bundle} carries no TUF metadata (artifacts/tuf/metadata): give --metadata <url|dir>`, {
      subject: '--metadata',
      hint: 'an archive written by cnab-trust export carries its metadata; for another archive name the repository that signed it',
    });
  }
  try {
    return await verifyExtracted(
      {
        ...options,
        ...(options.metadata === undefined && options.map === undefined && extracted?.metadataDir !== undefined ? { metadata: extracted.metadataDir } : {}),
        ...(options.target === undefined && extracted?.target !== undefined ? { target: extracted.target } : {}),
      },
      extracted,
    );
  } finally {
    await extracted?.dispose();
  }
}

async function isArchiveFile(file: string): Promise<boolean> {
  if (!(await isRegularFile(file))) return false;
  const { isGzipFile } = await import('../../adapters/archive/index.js');
  return isGzipFile(file);
}

async function verifyExtracted(options: VerifyBundleOptions, extracted: ExtractedArchive | undefined): Promise<VerifyReport> {
  const targetName = options.target ?? defaultTargetName(options.bundle);
  const now = options.now ?? (() => new Date());
  const report = new VerifyReportBuilder(options.bundle);
  const stage = async <T>(name: VerifyStepName, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (!isCnabTrustError(e) || e.category === 'usage' || e.category === 'internal') throw e;
      throw new StageFailure(name, e);
    }
  };
  const emit = (): void => {
    const last = report.lastStep();
    if (last !== undefined) options.onStep?.(last);
  };

  let client: TufClient | undefined;
  try {
    // CNAB-Sec 303 step 3: refresh from the trusted root, find the target (TUF client workflow 5.3–5.6; TAP 4 with a map).
    const trusted = await stage('tuf', async () => {
      const found = await findTrustedTarget(targetName, options, now).catch((e: unknown) => {
        throw options.target === undefined ? withRelocatedHint(e, targetName) : e;
      });
      client = found.client;
      return found;
    });
    report.setTarget({ ...trusted.target, signedBy: trusted.role });
    report.pass('tuf', `target ${trusted.target.name} is signed by ${trusted.role} (${trusted.target.length} bytes)`, {
      checks: [
        ...trusted.checks,
        `target ${trusted.target.name} found, listed by ${trusted.role}`,
        ...Object.entries(trusted.target.hashes).map(([a, h]) => `signed ${a} ${h}`),
        options.cacheDir !== undefined
          ? `trusted metadata cache ${options.cacheDir}: persistent, versions compared with earlier runs (rollback protection)`
          : 'no persistent cache (--no-cache): a fresh temporary one, so no rollback protection across runs',
      ],
      details: { cache: options.cacheDir !== undefined ? { mode: 'persistent', dir: options.cacheDir } : { mode: 'none' } },
    });
    emit();

    // CNAB-Sec 303 steps 1, 2 and 4: fetch the bundle, compare its exact bytes with the signed length and hashes, then parse it.
    const verified = await stage('bundle', async (): Promise<Verified> => {
      const fetched = extracted !== undefined ? await fetchArchiveBundle(options.bundle, extracted, trusted.target) : await fetchBundle(options.bundle, trusted.target, options.registry);
      const artifact =
        fetched.archive?.signedAsArchive === true
          ? { digest: fetched.archive.digest, length: fetched.archive.length, algorithms: ['sha256'] }
          : fetched.stored === undefined
            ? checkLocalArtifact(fetched, trusted.target)
            : fetched.archive === undefined
              ? checkStoredArtifact(fetched, options.bundle, trusted.target)
              : checkSignedArtifact(fetched.bytes, trusted.target, fetched.what);
      const bundle = parseBundle(fetched.bytes, { source: fetched.what });
      return {
        target: trusted.target,
        role: trusted.role,
        artifact,
        bundle,
        bundleBytes: fetched.bytes,
        ...(fetched.stored === undefined ? {} : { stored: fetched.stored }),
        ...(fetched.archive === undefined ? {} : { archive: fetched.archive }),
      };
    });
    report.setDigest(verified.artifact.digest);
    report.pass('bundle', `${verified.bundle.name} ${verified.bundle.version}: the bytes are the signed bytes (${verified.artifact.digest})`, {
      checks: [
        ...(verified.archive?.signedAsArchive ? [`the archive ${options.bundle} is the signed artifact (a thick bundle)`] : []),
        ...(verified.stored === undefined ? [] : [`bundle index ${verified.stored.index.digest} read from ${verified.stored.source.location.text}`]),
        `length ${verified.artifact.length} = signed length`,
        ...verified.artifact.algorithms.map((a) => `${a} of the exact bytes = signed ${a}`),
        'bundle.json parsed (strict JSON, CNAB schema)',
      ],
    });
    emit();

    // Images (CNAB 200): pinned by contentDigest; pulled from a store, the index agrees and every image is there.
    const images = await stage('images', () => checkImages(verified));
    report.pass('images', images.summary, { checks: images.checks });
    emit();
    if (options.relocationMapping === undefined) {
      report.skip('relocation', 'no relocation mapping given');
    } else {
      const relocation = await stage('relocation', () => checkRelocation(verified.bundle, options.relocationMapping!, options.registry));
      report.pass('relocation', relocation.summary, { checks: relocation.checks });
    }
    emit();

    // CNAB-Sec 303 steps 5–7: in-toto, when the target lists in-toto metadata; whether it must is decided by targets (or the operator).
    const listing = await stage('in-toto', async () => bundleIntotoListing(verified.target));
    const requirement = await stage('in-toto', () => intotoRequirement(client!, verified.target.name, options.requireIntoto === true));
    if (listing === undefined) {
      if (requirement.required) throw new StageFailure('in-toto', intotoMissing(verified.target.name, requirement));
      report.skip('in-toto', `target ${verified.target.name} lists no in-toto metadata (${requirement.reason})`);
    } else {
      // warnings go into the report as they come, so that a failing verification shows them too
      const result = await stage('in-toto', () => verifyIntoto(client!, listing, verified, options, now(), (w) => report.warn(w)));
      result.checks.unshift(requirement.reason);
      report.pass('in-toto', result.summary, { checks: result.checks, ...(result.skippedInspections ? { details: { inspections: 'skipped' } } : {}) });
    }
    emit();
    return report.succeed();
  } catch (e) {
    if (e instanceof StageFailure) {
      const out = report.fail(e.stage, e.error);
      emit();
      return out;
    }
    throw e;
  } finally {
    await client?.close();
  }
}

/**
 * Whether in-toto is required for this target: a policy `<gun>/cnab-trust/policy.json` counts only
 * when the top-level `targets` role lists it (core/verify/intoto-policy.ts); no such target means no policy. Any
 * other failure to read it fails the stage (fail closed).
 */
async function intotoRequirement(client: TufClient, targetName: string, operatorRequires: boolean): Promise<IntotoRequirement> {
  const gun = gunOfTarget(targetName);
  if (gun === undefined) return decideIntotoRequirement({ name: '(no GUN)' }, operatorRequires);
  const name = policyTargetName(gun);
  let found: { target: TrustedTarget; role: string };
  try {
    found = await client.getTargetWithRole(name);
  } catch (e) {
    if (isCnabTrustError(e) && (e.code === 'E_TUF_TARGET_NOT_FOUND' || e.code === 'E_TUF_DELEGATION')) return decideIntotoRequirement({ name }, operatorRequires);
    throw e;
  }
  if (found.role !== TOP_LEVEL_TARGETS_ROLE) return decideIntotoRequirement({ name, role: found.role }, operatorRequires);
  const policy = parseIntotoPolicy((await client.readTarget(name)).bytes, name);
  return decideIntotoRequirement({ name, role: found.role, policy }, operatorRequires);
}

/** What the TUF stage found, and the refreshed client later stages fetch in-toto metadata through. */
interface FoundTarget {
  client: TufClient;
  target: TrustedTarget;
  role: string;
  checks: string[];
}

/** CNAB-Sec 303 step 3: one repository from the trusted root, or TAP 4 across the repositories of a map file. */
/**
 * Without --target the target name is the reference given; for a relocated copy that is the mirror's name, which
 * nothing signed. Say so: the target is the name the bundle was signed under.
 */
function withRelocatedHint(e: unknown, name: string): unknown {
  if (!isCnabTrustError(e) || e.code !== 'E_TUF_TARGET_NOT_FOUND') return e;
  return new CnabTrustError(e.code, e.message, {
    ...(e.subject === undefined ? {} : { subject: e.subject }),
    hint: `${name} is the reference given; if the bundle was relocated or copied, name the target it was signed as: --target <original reference> (e.g. --target example.com/org/app:1.0.0)`,
    ...(e.details === undefined ? {} : { details: e.details }),
    cause: e,
  });
}

async function findTrustedTarget(name: string, options: VerifyBundleOptions, now: () => Date): Promise<FoundTarget> {
  const common = {
    now,
    ...(options.http === undefined ? {} : { http: options.http }),
  };
  let client: TufClient;
  const checks: string[] = [];
  let agreed: TrustedTarget | undefined;
  if (options.map !== undefined) {
    const { getMappedTarget, openAgreeingRepository } = await import('../../adapters/tuf/map-client.js');
    const mapped = { mapPath: options.map, trustedRootsDir: options.trustedRootsDir!, ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }), ...common };
    const found = await getMappedTarget(name, mapped);
    client = await openAgreeingRepository(found, mapped);
    agreed = found.target;
    checks.push(`TAP 4 map ${options.map}: repositories ${found.repositories.join(', ')} sign the same length and hashes (mapping ${found.mapping})`);
  } else {
    const trustedRoot =
      options.trustedRoot ??
      (options.trustedRootPath === undefined ? undefined : await readFileBounded(options.trustedRootPath, { maxBytes: 512_000, what: 'trusted root' }));
    client = await TufClient.open({
      metadata: options.metadata!,
      ...(trustedRoot === undefined ? {} : { trustedRoot }),
      ...(options.trustedRootPath === undefined ? {} : { trustedRootSource: options.trustedRootPath }),
      ...(options.targets === undefined ? {} : { targets: options.targets }),
      ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
      ...common,
    });
    checks.push(`metadata refreshed from ${options.metadata} (root, timestamp, snapshot, targets: signatures, thresholds, versions, expiry)`);
  }
  try {
    if (agreed === undefined) await client.refresh(); // openAgreeingRepository returns a refreshed client
    const { target, role } = await client.getTargetWithRole(name);
    if (agreed !== undefined && !sameTargetFile(agreed, target)) {
      throw new CnabTrustError('E_TUF_CONSENSUS', `the repository read again disagrees with the agreed target ${name}`, { subject: name });
    }
    return { client, target, role, checks };
  } catch (e) {
    await client.close();
    throw e;
  }
}

/** Images (CNAB 200 pull, CNAB 103): every image pinned; pulled from a store, the index agrees and each image is there. */
async function checkImages(verified: Verified): Promise<{ summary: string; checks: string[] }> {
  const list = bundleImages(verified.bundle);
  const digests = assertImagesPinned(list);
  const label = (img: (typeof list)[number]): string => imageLabel(img);
  const checks = list.map((img) => `${label(img)} ${img.reference} pinned to ${digests.get(img)}`);
  if (verified.stored === undefined && verified.archive !== undefined) {
    // a thick bundle signed as an archive, its layout without a CNAB index: each image by its contentDigest
    const { LayoutStore } = await import('../../adapters/oci/layout-store.js');
    const store = new LayoutStore(verified.archive.layoutDir);
    for (const img of list) {
      await store.fetchManifest(digests.get(img)!);
      checks.push(`${label(img)} manifest ${digests.get(img)} present in the archive's layout and re-hashed`);
    }
    return { summary: `${list.length} image(s) pinned, each in the archive's layout`, checks };
  }
  if (verified.stored === undefined) return { summary: `${list.length} image(s), each pinned by its contentDigest`, checks };
  // the index of the pulled bundle: every descriptor = contentDigest (cnab-to-oci does not check this; we must)
  const pulled = matchStoredBundle(verified.stored, verified.bundleBytes);
  checks.push(`index ${verified.stored.index.digest}: every image descriptor equals the image's contentDigest`);
  // every image manifest is where the bundle was pulled from, with exactly that digest (fetched and re-hashed)
  const store = verified.stored.source.store;
  await Promise.all(
    pulled.images.map(async ({ image, descriptor }) => {
      await store.fetchManifest(descriptor.digest).catch((e: unknown) => {
        if (!isCnabTrustError(e)) throw e;
        // name the image of the bundle, not only the blob
        throw new CnabTrustError(e.code, `${label(image)} ${image.reference}: ${e.message}`, {
          subject: image.reference,
          hint: `${store.name} does not hold the signed image ${descriptor.digest}: do not install from it`,
          details: { image: label(image), reference: image.reference, expectedDigest: descriptor.digest, ...(e.details ?? {}) },
        });
      });
      checks.push(`${label(image)} manifest ${descriptor.digest} present in ${store.name} and re-hashed`);
    }),
  );
  return { summary: `${list.length} image(s) pinned; the index agrees and every image is in ${store.name}`, checks };
}

/** Relocated images (CNAB 103): the mapping covers every image and each resolves to its signed digest. */
/** The directory an output file goes to must exist (checked before the work whose result it keeps). */
async function assertDirectoryOf(file: string, flag: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  if (!(await isDirectory(dir))) {
    throw new CnabTrustError('E_FILE_NOT_FOUND', `the directory of ${file} does not exist`, { subject: flag, hint: `create ${dir} or give another ${flag} path` });
  }
}

async function readMapping(mapping: string | RelocationMapping): Promise<RelocationMapping> {
  if (typeof mapping !== 'string') return mapping;
  const { readRelocationMapping } = await import('../../adapters/relocation/mapping-file.js');
  return readRelocationMapping(mapping);
}

async function checkRelocation(bundle: Bundle, mapping: string | RelocationMapping, access: RegistryAccess | undefined): Promise<{ summary: string; checks: string[] }> {
  const { verifyRelocatedImages } = await import('../../adapters/oci/relocated-images.js');
  const { images, unusedKeys } = await verifyRelocatedImages(bundle, await readMapping(mapping), access);
  const checks = images.map((r) => `${r.label} ${r.original} -> ${r.relocated}: manifest fetched by ${r.fetched?.by ?? 'digest'}, its bytes hash to ${r.resolvedDigest}`);
  if (unusedKeys.length > 0) checks.push(`mapping keys naming no image of the bundle (ignored): ${unusedKeys.join(', ')}`);
  checks.push(describeFetchedChecks(images));
  return { summary: `${images.length} relocated image(s), each manifest fetched and hashed to its signed contentDigest`, checks };
}

class StageFailure extends Error {
  constructor(
    readonly stage: VerifyStepName,
    readonly error: CnabTrustError,
  ) {
    super(error.message);
  }
}

/** The default TUF target for what is verified: a registry reference's `<gun>:<tag>`; files need `--target`. */
export function defaultTargetName(bundle: string): string {
  if (!bundle.startsWith('oci:') && !pathExists(bundle)) {
    const location = parseImageLocation(bundle);
    if (location.kind === 'registry' && location.reference.tag !== undefined) {
      return `${location.reference.repositoryName}:${location.reference.tag}`;
    }
  }
  throw new CnabTrustError('E_USAGE', `cannot tell which signed target ${bundle} must match: give --target <gun>:<tag>`, {
    subject: '--target',
    hint: 'the target is the reference the bundle was signed under, e.g. example.com/org/app:1.0.0',
  });
}

/** CNAB-Sec 303 steps 1 and 2: obtain the bundle's exact bytes, never reading much more than the signed length. */
async function fetchBundle(source: string, target: TrustedTarget, access: RegistryAccess | undefined): Promise<FetchedBundle> {
  const size = await regularFileSize(source);
  if (size === undefined) {
    return fetchStoredBundle(source, target, access).catch((e: unknown) => {
      throw isCnabTrustError(e) && e.code === 'E_LENGTH_MISMATCH' ? storedBytesDiffer(e, source, target) : e;
    });
  }
  const what = `bundle ${source}`;
  // a local bundle.json may be a pretty-printed copy of the signed canonical bytes: read it (bounded) so that the
  // mismatch can say so; anything larger than both bounds cannot be the signed bundle
  const bound = Math.max(target.length, DEFAULT_MAX_BUNDLE_BYTES);
  if (size > bound) throw lengthMismatch(target, size, what);
  return { bytes: await readFileBounded(source, { maxBytes: bound, what: 'bundle' }), what };
}

/** From a registry or an OCI layout (CNAB 200): the index, then the bundle blob if its size is the signed length. */
async function fetchStoredBundle(source: string, target: TrustedTarget, access: RegistryAccess | undefined): Promise<FetchedBundle> {
  const { openLocation } = await import('../../adapters/oci/open-store.js');
  const { registryClient } = await import('../../adapters/oci/registry-access.js');
  const opened = openLocation(source, registryClient(access));
  if (opened.location.kind === 'oci-layout' && !pathExists(opened.location.path)) {
    throw new CnabTrustError('E_FILE_NOT_FOUND', `no OCI layout directory at ${opened.location.path}`, { subject: source });
  }
  const stored = await readStoredBundleIndex(opened);
  const what = `bundle.json blob ${stored.config.digest} of ${source}`;
  if (stored.config.size !== target.length) throw lengthMismatch(target, stored.config.size, what);
  const bytes = await opened.store.fetchBlob(stored.config, target.length);
  return { bytes, what, stored };
}

/**
 * A stored bundle whose bytes are not the signed ones: refused as any other, with a hint for the publisher.
 * Porter and cnab-to-oci store a bundle as cnab-go marshals it, which can differ from the file that was signed
 * (README "Bundles"); the fix is to sign what is stored. The operator must not install it either way.
 */
function storedBytesDiffer(e: CnabTrustError, source: string, target: TrustedTarget): CnabTrustError {
  return new CnabTrustError(e.code, `${e.message} (the registry stores other bytes than were signed)`, {
    ...(e.subject === undefined ? {} : { subject: e.subject }),
    hint:
      'do not install it. Publisher: if you pushed with Porter or cnab-to-oci, the registry stores the bundle as cnab-go marshals it, ' +
      `not as your file: sign what is stored with cnab-trust sign ${source} --ref ${target.name}`,
    ...(e.details === undefined ? {} : { details: { ...e.details, stored: source } }),
  });
}

/** Compare a stored bundle blob with the signed target (the stored-bytes hint on a mismatch). */
function checkStoredArtifact(fetched: FetchedBundle, source: string, target: TrustedTarget): CheckedArtifact {
  try {
    return checkSignedArtifact(fetched.bytes, target, fetched.what);
  } catch (e) {
    if (isCnabTrustError(e) && (e.code === 'E_DIGEST_MISMATCH' || e.code === 'E_LENGTH_MISMATCH')) throw storedBytesDiffer(e, source, target);
    throw e;
  }
}

/**
 * From an extracted thick bundle: either the archive itself is the signed artifact (its streamed sha256 and length
 * equal the target's), or the bundle inside is (an exported thin bundle): then it is read from the archive's layout
 * like any OCI layout, and `bundle.json` at the archive root must be the same bytes.
 */
async function fetchArchiveBundle(source: string, extracted: ExtractedArchive, target: TrustedTarget): Promise<FetchedBundle> {
  const { archive } = extracted;
  const signedAsArchive = isSignedArtifact(archive, target);
  const facts = { layoutDir: extracted.layoutDir, signedAsArchive, digest: archive.digest, length: archive.length };
  const tag = target.name.slice(target.name.lastIndexOf(':') + 1);
  const { LayoutStore } = await import('../../adapters/oci/layout-store.js');
  const index = pathExists(extracted.layoutDir) ? await new LayoutStore(extracted.layoutDir).resolve(tag) : undefined;
  const tagged = index !== undefined;
  // extract only what is referenced: the tag's bundle index, the signed bundle's config blob and, when the bytes of
  // bundle.json are trusted (the archive or they are the signed artifact), the manifests of its pinned images
  const wanted = [`sha256:${target.hashes['sha256'] ?? ''}`, ...(index === undefined ? [] : [index.digest])];
  const bundleSigned =
    signedAsArchive ||
    (extracted.bundleBytes.length === target.length && sha256Hex(extracted.bundleBytes) === target.hashes['sha256']?.toLowerCase());
  if (bundleSigned) {
    for (const img of bundleImages(parseBundle(extracted.bundleBytes, { source: `${source}!bundle.json` }))) if (img.contentDigest !== undefined) wanted.push(img.contentDigest);
  }
  await extracted.extractLayoutBlobs(wanted);
  if (index !== undefined) {
    // then what the bundle index itself references (its bundle config manifest, the image manifests); a broken
    // index is reported by the reading below, with its own error
    const { parseManifest } = await import('../../core/oci/manifest.js');
    const referenced = await new LayoutStore(extracted.layoutDir).fetchManifest(index.digest).then(
      (m) => {
        const parsed = parseManifest(m.bytes, index.digest, m.descriptor.mediaType || undefined);
        return parsed.kind === 'index' ? parsed.manifests.map((d) => d.digest) : [];
      },
      () => [],
    );
    await extracted.extractLayoutBlobs(referenced);
  }
  // the archive is what was signed (its images are then checked in its layout by contentDigest), or there is no
  // bundle index in the layout to read: compare bundle.json at the root (which gives the precise error otherwise)
  if (signedAsArchive || !tagged) return { bytes: extracted.bundleBytes, what: `${source}!bundle.json`, archive: facts };
  const inLayout = await fetchStoredBundle(`oci:${extracted.layoutDir}:${tag}`, target, undefined);
  if (Buffer.compare(Buffer.from(inLayout.bytes), extracted.bundleBytes) !== 0) {
    throw new CnabTrustError('E_DIGEST_MISMATCH', `${source}: bundle.json at the archive root differs from the bundle in its layout`, {
      subject: target.name,
      hint: 'the archive was altered: do not import or install it',
    });
  }
  return { ...inLayout, what: `${source}!${inLayout.what}`, archive: facts };
}

/** Compare a local file with the signed target; a file whose canonical form was signed gets a precise hint. */
function checkLocalArtifact(fetched: FetchedBundle, target: TrustedTarget): CheckedArtifact {
  try {
    return checkSignedArtifact(fetched.bytes, target, fetched.what);
  } catch (e) {
    if (isCnabTrustError(e) && (e.code === 'E_DIGEST_MISMATCH' || e.code === 'E_LENGTH_MISMATCH') && canonicalFormMatches(fetched.bytes, target)) {
      throw new CnabTrustError(e.code, `${e.message}; its canonical form (JCS) is the signed bundle`, {
        ...(e.subject === undefined ? {} : { subject: e.subject }),
        hint: 'the signed artifact of a thin bundle is its canonical bytes: run cnab-trust canonicalize and verify and install the canonical file',
        ...(e.details === undefined ? {} : { details: e.details }),
      });
    }
    if (isCnabTrustError(e) && (e.code === 'E_DIGEST_MISMATCH' || e.code === 'E_LENGTH_MISMATCH') && cnabGoFormMatches(fetched.bytes, target)) {
      throw new CnabTrustError(e.code, `${e.message}; the signed bundle is this file as cnab-go marshals it`, {
        ...(e.subject === undefined ? {} : { subject: e.subject }),
        hint:
          'the signed bytes are the bundle as Porter or cnab-to-oci stored it in a registry (cnab-go marshalling, README "Bundles"): ' +
          'verify that registry reference, or pull it and verify the pulled bundle.json',
        ...(e.details === undefined ? {} : { details: e.details }),
      });
    }
    throw e;
  }
}

/** Whether this file as cnab-go marshals it (what Porter and cnab-to-oci store) is the signed target. */
function cnabGoFormMatches(bytes: Uint8Array, target: TrustedTarget): boolean {
  try {
    const bytesOf = jcsBytes(cnabGoMarshal(parseBundleDocument(bytes)).value);
    return bytesOf.length === target.length && sha256Digest(bytesOf) === `sha256:${target.hashes['sha256']}`;
  } catch {
    return false;
  }
}

/** Whether the canonical form of `bytes` (not themselves canonical) is the signed target. */
function canonicalFormMatches(bytes: Uint8Array, target: TrustedTarget): boolean {
  try {
    const c = canonicalizeBundleBytes(bytes);
    return !c.canonical && c.length === target.length && c.digest === `sha256:${target.hashes['sha256']}`;
  } catch {
    return false;
  }
}

interface IntotoOutcome {
  summary: string;
  checks: string[];
  warnings: string[];
  skippedInspections: boolean;
}

/** CNAB-Sec 303 steps 5–7: in-toto metadata through TUF, layout keys from `targets` only, the bundle as final product. */
async function verifyIntoto(
  client: TufClient,
  listing: BundleIntotoListing,
  verified: Verified,
  options: VerifyBundleOptions,
  now: Date,
  warn: (warning: string) => void,
): Promise<IntotoOutcome> {
  const { parseVerificationKeyFile } = await import('../../core/crypto/verification-key-file.js');
  const { loadMetablock, verifySupplyChain } = await import('../../core/intoto/verify.js');
  const checks: string[] = [];

  // The root layout: a target of the top-level targets role (CNAB-Sec 301).
  const layoutTarget = await client.getTargetWithRole(listing.layout);
  assertLayoutRole(listing.layout, layoutTarget.role);
  const layoutBytes = (await client.readTarget(listing.layout)).bytes;
  const layout = loadMetablock(layoutBytes, listing.layout);
  checks.push(`root layout ${listing.layout} fetched through TUF, signed by targets`);

  // Its keys: each a target of the top-level targets role.
  const keys = [];
  for (const keyTarget of layoutKeyTargets(layoutTarget.target)) {
    const { role } = await client.getTargetWithRole(keyTarget);
    assertLayoutKeyRole(keyTarget, role);
    keys.push(await parseVerificationKeyFile((await client.readTarget(keyTarget)).bytes, keyTarget));
    checks.push(`layout key ${keyTarget} fetched through TUF, signed by targets`);
  }

  // The links of this bundle, through TUF (any role the delegations allow).
  const sha256Hex = verified.artifact.digest.slice('sha256:'.length);
  const links = new LazyLinkSource(verified.target.name, {
    length: async (t) => (await client.getTarget(t)).length,
    read: async (t) => (await client.readTarget(t)).bytes,
  });
  for (const linkTarget of listing.links) links.add(linkPathSegments(linkTarget, sha256Hex), linkTarget);

  // Inspections see a scratch directory holding the bundle under the name the verified supply chain gave it
  // (chosen from links whose signatures verified, when the first inspection runs: never from an unsigned link).
  const inspections = options.inspections !== false && layout.signed.kind === 'layout' && layout.signed.layout.model.inspect.length > 0;
  let runner: import('../../adapters/intoto/inspection-runner.js').ScratchInspectionRunner | undefined;
  const warnings: string[] = [];
  try {
    if (inspections || (options.inspections !== false && options.sublayoutInspections === true)) {
      const { ScratchInspectionRunner } = await import('../../adapters/intoto/inspection-runner.js');
      runner = new ScratchInspectionRunner({
        seed: (dir, verifiedLinks) => placeFinalProduct(dir, productWithSha256(verifiedLinks.values(), sha256Hex) ?? 'bundle.json', verified.bundleBytes),
        ...(options.inspectionTimeoutMs === undefined ? {} : { timeoutMs: options.inspectionTimeoutMs }),
      });
    }
    const result = await verifySupplyChain({
      layout,
      layoutKeys: keys,
      links,
      now,
      ...(runner === undefined ? {} : { inspections: runner }),
      ...(options.sublayoutInspections === true ? { sublayoutInspections: true } : {}),
      onWarning: (w) => {
        warnings.push(w);
        warn(w);
      },
    });
    checks.push(`${listing.links.length} link(s) listed; those of authorized functionaries fetched through TUF`);
    for (const step of result.steps) checks.push(`step ${step.name}: ${step.links.join(', ')}`);
    const declared = layout.signed.kind === 'layout' ? layout.signed.layout.model.inspect.length : 0;
    if (declared === 0) checks.push('the layout has no inspections');
    else if (!inspections) checks.push(`${declared} inspection(s) skipped (--no-inspections)`);
    else for (const i of result.inspections.ran) checks.push(`inspection ${i} ran and passed its rules`);
    if (runner !== undefined && result.inspections.ran.length > 0) {
      checks.push(
        runner.isolation.available
          ? 'inspections ran sandboxed: no network, file system read-only but for their scratch directory, no capabilities'
          : `inspections ran NOT sandboxed (${runner.isolation.reason}): scratch directory, scrubbed environment, time and output bounds only`,
      );
    }
    const product = assertFinalProduct(result.summary, sha256Hex, listing.layout);
    checks.push(`final product ${product} is the verified bundle (sha256 ${sha256Hex})`);
    return {
      summary: `supply chain of ${listing.layout} verified (${result.steps.length} step(s)); its final product ${product} is this bundle`,
      checks,
      warnings,
      skippedInspections: declared > 0 && !inspections,
    };
  } finally {
    runner?.dispose();
  }
}

/** Write the bundle into the inspections' scratch directory under its product name (typed error if it cannot be). */
function placeFinalProduct(dir: string, name: string, bytes: Uint8Array): void {
  const file = path.join(dir, ...finalProductSegments(name));
  try {
    createFileExclusiveSync(file, bytes);
  } catch (e) {
    throw new CnabTrustError('E_INTOTO_INSPECTION', `cannot place the final product ${JSON.stringify(name)} for the inspections: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
      subject: name,
      hint: 'pass --no-inspections to verify without running them',
    });
  }
}
