/**
 * `cnab-trust verify`: the CNAB-Sec 303 verification workflow, in order, stopping at the first failure.
 *
 *  1. tuf         refresh the metadata from the trusted root and find the target `<gun>:<tag>` (TUF client
 *                 workflow 5.3–5.6 through tuf-js). Only the trusted target (length, hashes, custom) goes on;
 *                 nothing of the untrusted metadata reaches a later step.
 *  2. bundle      fetch the bundle (registry, OCI layout directory, local bundle.json) and compare its exact bytes
 *                 with the signed length and hashes (E_LENGTH_MISMATCH, E_DIGEST_MISMATCH); then parse it.
 *  3. images      every image has a contentDigest; the bundle's index descriptors agree with them.
 *     relocation  with a relocation mapping: every image is mapped, and every relocated image resolves, in its
 *                 registry, to its signed contentDigest.
 *  4. in-toto     when the target's custom `in-toto` lists metadata: the root layout and its keys are fetched
 *                 through TUF and must be targets of the top-level `targets` role, the links through TUF too; the
 *                 supply chain is verified and its final product must be the bundle.
 *  5. the report  (core/verify/report.ts): every stage that ran, what it checked, the verdict, the first error.
 *
 * Verification failures (and I/O failures on the way) end in a report with `verified: false`; only misuse
 * (missing options) throws.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CnabTrustError, isCnabTrustError } from '../core/errors.js';
import { bundleImages, canonicalizeBundleBytes, DEFAULT_MAX_BUNDLE_BYTES, parseBundle, type Bundle } from '../core/cnab/index.js';
import { parseImageLocation } from '../core/reference/index.js';
import { assertImagesPinned } from '../core/relocation/check.js';
import { checkSignedArtifact, lengthMismatch, type CheckedArtifact } from '../core/verify/signed-artifact.js';
import { VerifyReportBuilder, type VerifyReport, type VerifyStepName } from '../core/verify/report.js';
import {
  assertFinalProduct,
  assertLayoutKeyRole,
  assertLayoutRole,
  bundleIntotoListing,
  layoutKeyTargets,
  linkPathSegments,
  MemoryMetadataSource,
  productWithSha256,
  type BundleIntotoListing,
} from '../core/verify/intoto-targets.js';
import { readFileBounded } from '../adapters/fs/index.js';
import { TufClient, type TrustedTarget } from '../adapters/tuf/tuf-client.js';
import type { HttpOptions } from '../adapters/tuf/routing-fetcher.js';

export type { VerifyReport } from '../core/verify/report.js';

export interface VerifyBundleOptions {
  /** What to verify: a registry reference, `oci:<dir>[:<tag>]`, or a local `bundle.json`. */
  bundle: string;
  /** The root you trust, as bytes or as a file path. */
  trustedRoot?: Uint8Array;
  trustedRootPath?: string;
  /** The TUF repository: an http(s) URL or a directory. */
  metadata: string;
  /** Target files of the repository (default `<metadata>/targets`). */
  targets?: string;
  /**
   * The TUF target `<gun>:<tag>` the bundle must match. Default: the reference given (registry references only).
   * Give the original reference when verifying a relocated copy.
   */
  target?: string;
  /** Run the layout's inspections (default true). CNAB-Sec 303 asks runtimes to bound them: we do (timeout, scratch copy). */
  inspections?: boolean;
  inspectionTimeoutMs?: number;
  /** Trusted-metadata directory kept between runs (rollback protection); default a fresh temporary one. */
  cacheDir?: string;
  /** The clock for every expiry check (TUF roles, in-toto layout). */
  now?: () => Date;
  http?: HttpOptions;
  /** Called as each stage ends (progress for long verifications). */
  onStep?: (step: VerifyReport['steps'][number]) => void;
}

/** The exact bytes of the bundle as fetched, and where they came from. */
interface FetchedBundle {
  bytes: Uint8Array;
  /** How the bytes are named in messages. */
  what: string;
}

/** What the stages pass on: only verified facts. */
interface Verified {
  target: TrustedTarget;
  role: string;
  artifact: CheckedArtifact;
  bundle: Bundle;
  bundleBytes: Uint8Array;
}

/** Run CNAB-Sec 303 on one bundle and return the report (see the module comment for the stages). */
export async function verifyBundle(options: VerifyBundleOptions): Promise<VerifyReport> {
  if (options.trustedRoot === undefined && options.trustedRootPath === undefined && options.cacheDir === undefined) {
    throw new CnabTrustError('E_USAGE', 'no trusted root: give --trusted-root root.json', { subject: '--trusted-root' });
  }
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
    // 1. TUF: refresh from the trusted root, find the target (TUF client workflow 5.3–5.6).
    const trusted = await stage('tuf', async () => {
      const trustedRoot =
        options.trustedRoot ??
        (options.trustedRootPath === undefined ? undefined : await readFileBounded(options.trustedRootPath, { maxBytes: 512_000, what: 'trusted root' }));
      client = await TufClient.open({
        metadata: options.metadata,
        ...(trustedRoot === undefined ? {} : { trustedRoot }),
        ...(options.targets === undefined ? {} : { targets: options.targets }),
        ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
        now,
        ...(options.http === undefined ? {} : { http: options.http }),
      });
      await client.refresh();
      return client.getTargetWithRole(targetName);
    });
    report.setTarget({ ...trusted.target, signedBy: trusted.role });
    report.pass('tuf', `target ${trusted.target.name} is signed by ${trusted.role} (${trusted.target.length} bytes)`, {
      checks: [
        `metadata refreshed from ${options.metadata} (root, timestamp, snapshot, targets: signatures, thresholds, versions, expiry)`,
        `target ${trusted.target.name} found, listed by ${trusted.role}`,
        ...Object.entries(trusted.target.hashes).map(([a, h]) => `signed ${a} ${h}`),
      ],
    });
    emit();

    // 2. The bundle: fetch it, compare the exact bytes with the signed length and hashes, parse it.
    const verified = await stage('bundle', async (): Promise<Verified> => {
      const fetched = await fetchBundle(options.bundle, trusted.target);
      const artifact = checkLocalArtifact(fetched, trusted.target);
      const bundle = parseBundle(fetched.bytes, { source: fetched.what });
      return { target: trusted.target, role: trusted.role, artifact, bundle, bundleBytes: fetched.bytes };
    });
    report.setDigest(verified.artifact.digest);
    report.pass('bundle', `${verified.bundle.name} ${verified.bundle.version}: the bytes are the signed bytes (${verified.artifact.digest})`, {
      checks: [
        `length ${verified.artifact.length} = signed length`,
        ...verified.artifact.algorithms.map((a) => `${a} of the exact bytes = signed ${a}`),
        'bundle.json parsed (strict JSON, CNAB schema)',
      ],
    });
    emit();

    // 3. Images: every image pinned by a contentDigest.
    const images = await stage('images', async () => {
      const list = bundleImages(verified.bundle);
      const digests = assertImagesPinned(list);
      return list.map((img) => `${img.kind === 'component' ? `component ${img.component}` : `invocation image ${img.index}`} ${img.reference} pinned to ${digests.get(img)}`);
    });
    report.pass('images', `${images.length} image(s), each pinned by its contentDigest`, { checks: images });
    emit();
    report.skip('relocation', 'no relocation mapping given: images are used where the bundle names them');
    emit();

    // 4. in-toto, when the target lists in-toto metadata.
    const listing = await stage('in-toto', async () => bundleIntotoListing(verified.target));
    if (listing === undefined) {
      report.skip('in-toto', `target ${verified.target.name} lists no in-toto metadata`);
    } else {
      const result = await stage('in-toto', () => verifyIntoto(client!, listing, verified, options, now()));
      report.pass('in-toto', result.summary, { checks: result.checks, ...(result.skippedInspections ? { details: { inspections: 'skipped' } } : {}) });
      for (const w of result.warnings) report.warn(w);
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
  if (!bundle.startsWith('oci:') && !existsSync(bundle)) {
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

/** CNAB-Sec 303 step 1: obtain the bundle's exact bytes, never reading much more than the signed length. */
async function fetchBundle(source: string, target: TrustedTarget): Promise<FetchedBundle> {
  const what = `bundle ${source}`;
  let size: number;
  try {
    size = (await stat(source)).size;
  } catch {
    throw new CnabTrustError('E_FILE_NOT_FOUND', `no bundle at ${source}`, { subject: source });
  }
  // a local bundle.json may be a pretty-printed copy of the signed canonical bytes: read it (bounded) so that the
  // mismatch can say so; anything larger than both bounds cannot be the signed bundle
  const bound = Math.max(target.length, DEFAULT_MAX_BUNDLE_BYTES);
  if (size > bound) throw lengthMismatch(target, size, what);
  return { bytes: await readFileBounded(source, { maxBytes: bound, what: 'bundle' }), what };
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
    throw e;
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
): Promise<IntotoOutcome> {
  const { parseMetablock } = await import('../core/intoto/metadata.js');
  const { parseMetadataJson } = await import('../core/intoto/json.js');
  const { parsePublicKeyFile } = await import('../core/crypto/key-files.js');
  const { verifySupplyChain } = await import('../core/intoto/verify.js');
  const checks: string[] = [];

  // The root layout: a target of the top-level targets role (CNAB-Sec 301).
  const layoutTarget = await client.getTargetWithRole(listing.layout);
  assertLayoutRole(listing.layout, layoutTarget.role);
  const layoutBytes = (await client.readTarget(listing.layout)).bytes;
  const layout = parseMetablock(parseMetadataJson(layoutBytes, listing.layout), listing.layout);
  checks.push(`root layout ${listing.layout} fetched through TUF, signed by targets`);

  // Its keys: each a target of the top-level targets role.
  const keys = [];
  for (const keyTarget of layoutKeyTargets(layoutTarget.target)) {
    const { role } = await client.getTargetWithRole(keyTarget);
    assertLayoutKeyRole(keyTarget, role);
    keys.push(parsePublicKeyFile((await client.readTarget(keyTarget)).bytes, keyTarget));
    checks.push(`layout key ${keyTarget} fetched through TUF, signed by targets`);
  }

  // The links of this bundle, through TUF (any role the delegations allow).
  const sha256Hex = verified.artifact.digest.slice('sha256:'.length);
  const links = new MemoryMetadataSource();
  const linkModels = [];
  for (const linkTarget of listing.links) {
    const { bytes } = await client.readTarget(linkTarget);
    links.add(linkPathSegments(linkTarget, sha256Hex), bytes);
    const parsed = parseMetablock(parseMetadataJson(bytes, linkTarget), linkTarget);
    if (parsed.signed.kind === 'link') linkModels.push(parsed.signed.link);
  }
  checks.push(`${listing.links.length} link(s) fetched through TUF`);

  // Inspections see a scratch directory holding the bundle under the name the supply chain gave it.
  const inspections = options.inspections !== false && layout.signed.kind === 'layout' && layout.signed.layout.model.inspect.length > 0;
  let workDir: string | undefined;
  let runner: import('../adapters/intoto/inspection-runner.js').ScratchInspectionRunner | undefined;
  const warnings: string[] = [];
  try {
    if (inspections) {
      workDir = await mkdtemp(path.join(os.tmpdir(), 'cnab-trust-final-product-'));
      const name = productWithSha256(linkModels, sha256Hex) ?? 'bundle.json';
      const file = path.join(workDir, ...name.split('/').filter((s) => s !== '' && s !== '.' && s !== '..'));
      const { mkdir } = await import('node:fs/promises');
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, verified.bundleBytes);
      const { ScratchInspectionRunner } = await import('../adapters/intoto/inspection-runner.js');
      runner = new ScratchInspectionRunner({
        workDir,
        ...(options.inspectionTimeoutMs === undefined ? {} : { timeoutMs: options.inspectionTimeoutMs }),
      });
    }
    const result = await verifySupplyChain({
      layout,
      layoutKeys: keys,
      links,
      now,
      ...(runner === undefined ? {} : { inspections: runner }),
      onWarning: (w) => warnings.push(w),
    });
    for (const step of result.steps) checks.push(`step ${step.name}: ${step.links.join(', ')}`);
    const declared = layout.signed.kind === 'layout' ? layout.signed.layout.model.inspect.length : 0;
    if (declared === 0) checks.push('the layout has no inspections');
    else if (!inspections) checks.push(`${declared} inspection(s) skipped (--no-inspections)`);
    else for (const i of result.inspections.ran) checks.push(`inspection ${i} ran and passed its rules`);
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
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  }
}
