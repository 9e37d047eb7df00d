/**
 * `cnab-trust pipeline`: what a CI job runs for a release, in order, failing on the first mismatch:
 *  1. sign   the bundle as `<gun>:<tag>` with the online `targets/releases` key (and, when given, the in-toto layout,
 *            its keys and the links: the layout needs the top-level targets key, otherwise the change is staged);
 *  2. push   the bundle to the registry (or OCI layout) in the cnab-to-oci layout;
 *  3. verify it back from the registry with a fresh trusted-metadata cache, as an installer would (CNAB-Sec 303).
 * The report (sign, push, and the stable verify report) is written to a file for the CI to keep.
 */
import { makeTempDir, removeTempDir } from '../adapters/fs/temp-dir.js';
import path from 'node:path';
import { CnabTrustError, isCnabTrustError } from '../core/errors.js';
import type { VerifyReport } from '../core/verify/report.js';
import { writeFileAtomic } from '../adapters/fs/index.js';
import { signBundle, type SignReport } from './tuf-sign.js';
import { push, type PushReport } from './push.js';
import { verifyBundle } from './verify.js';
import type { RegistryAccess } from './registry-access.js';

export interface PipelineOptions {
  /** The bundle.json to release (its images pinned). */
  bundle: string;
  /** The signed name `<gun>:<tag>`. */
  ref: string;
  /** Where to push (default: `ref`, the registry repository named by the GUN); a reference or `oci:<dir>:<tag>`. */
  pushTo?: string;
  /** The TUF repository directory (default `metadata`) and key directory (default `keys`). */
  metadataDir?: string;
  keysDir?: string;
  /** in-toto: root layout, its public keys, and the directory of links. */
  layout?: string;
  layoutKeys?: string[];
  links?: string;
  /** The root the verification trusts (default `<metadata>/1.root.json`: the whole root chain is walked). */
  trustedRootPath?: string;
  /** Where verification reads the metadata (default the metadata directory; e.g. the URL clients use). */
  metadataUrl?: string;
  /** Write the report here. */
  reportPath?: string;
  registry?: RegistryAccess;
  inspections?: boolean;
  /** Sign even if the supply chain does not verify at signing (the verification after the push still decides). */
  allowUnverified?: boolean;
  now?: () => Date;
}

export interface PipelineReport {
  /** True only when signing was published, the push completed and the verification passed. */
  ok: boolean;
  ref: string;
  pushedTo: string;
  /** null when signing failed (see `error`). */
  sign: (Pick<SignReport, 'target' | 'role' | 'published' | 'versions' | 'check'> & { layout?: string; links: string[] }) | null;
  push: Pick<PushReport, 'reference' | 'digest'> | null;
  verify: VerifyReport | null;
  error?: ReturnType<CnabTrustError['toJSON']>;
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineReport> {
  const metadataDir = options.metadataDir ?? 'metadata';
  const keysDir = options.keysDir ?? 'keys';
  const pushTo = options.pushTo ?? options.ref;

  const report: PipelineReport = { ok: false, ref: options.ref, pushedTo: pushTo, sign: null, push: null, verify: null };
  const finish = async (): Promise<PipelineReport> => {
    if (options.reportPath !== undefined) await writeFileAtomic(options.reportPath, JSON.stringify(report, null, 2) + '\n');
    return report;
  };
  /** A failure of a stage ends the pipeline with the report written (CI keeps it); misuse and bugs are thrown. */
  const failed = async (e: unknown): Promise<PipelineReport> => {
    if (!isCnabTrustError(e) || e.category === 'usage' || e.category === 'internal') throw e;
    report.error = e.toJSON();
    return finish();
  };

  // 1. sign (CNAB-Sec 302): targets/releases signs the bundle target
  let signed: SignReport;
  try {
    signed = await signBundle({
      input: options.bundle,
      ref: options.ref,
      metadataDir,
      keysDir,
      ...(options.layout === undefined ? {} : { layout: options.layout }),
      ...(options.layoutKeys === undefined ? {} : { layoutKeys: options.layoutKeys }),
      ...(options.links === undefined ? {} : { links: options.links }),
      ...(options.allowUnverified === undefined ? {} : { allowUnverified: options.allowUnverified }),
    });
  } catch (e) {
    return failed(e);
  }
  report.sign = {
    target: signed.target,
    role: signed.role,
    published: signed.published,
    versions: signed.versions,
    check: signed.check,
    ...(signed.layout === undefined ? {} : { layout: signed.layout.name }),
    links: signed.links.map((l) => l.name),
  };
  if (!signed.published) {
    return failed(
      new CnabTrustError('E_TUF_STAGED', `the change for ${options.ref} is staged, waiting for signatures; nothing was published`, {
        subject: options.ref,
        hint: 'the layout needs the top-level targets key (offline): sign the staged change (cnab-trust metadata sign), then run the pipeline again',
      }),
    );
  }

  // 2. push (CNAB 200): the same bytes that were signed
  try {
    const pushed = await push(options.bundle, pushTo, options.registry ?? {});
    report.push = { reference: pushed.reference, digest: pushed.digest };
  } catch (e) {
    return failed(e);
  }

  // 3. verify from the registry with a fresh cache, as an installer would (CNAB-Sec 303)
  const cache = await makeTempDir('pipeline-cache');
  try {
    report.verify = await verifyBundle({
      bundle: pushTo,
      target: options.ref,
      trustedRootPath: options.trustedRootPath ?? path.join(metadataDir, '1.root.json'),
      metadata: options.metadataUrl ?? metadataDir,
      cacheDir: cache,
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      ...(options.inspections === undefined ? {} : { inspections: options.inspections }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  } finally {
    await removeTempDir(cache);
  }
  report.ok = report.verify.verified;
  if (report.verify.error !== undefined) report.error = report.verify.error;
  return finish();
}
