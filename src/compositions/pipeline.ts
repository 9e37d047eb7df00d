/**
 * `cnab-trust pipeline`: what a CI job runs for a release, as one transaction: nothing becomes visible (no TUF
 * target, no tag) unless the pushed release verifies as an installer will verify it.
 *  1. sign    build and sign the new metadata (the bundle as `<gun>:<tag>` with the online `targets/releases` key;
 *             with a layout, its keys and links; sign refuses a release whose supply chain does not verify). A
 *             change that needs the offline targets key is staged instead, and nothing is pushed.
 *  2. push    the images and the bundle (cnab-to-oci layout) by digest only: no tag yet. With --fixup, the images are
 *             pinned first (push --fixup), so the bundle signed is the pinned one.
 *  3. verify  the pushed content by digest against the staged metadata (a private copy of the repository with the
 *             change applied) with a fresh trusted-metadata cache, as an installer would (CNAB-Sec 303).
 *  4. publish the metadata in the client-safe order (target files, targets roles, snapshot, timestamp), then
 *  5. tag     the pushed index.
 * Any failure before 4 drops the staged metadata: the report says what was staged and dropped. The report is
 * written to a file for the CI to keep.
 */
import { makeTempDir, removeTempDir } from '../adapters/fs/temp-dir.js';
import path from 'node:path';
import { CnabTrustError, isCnabTrustError } from '../core/errors.js';
import type { VerifyReport } from '../core/verify/report.js';
import { writeFileAtomic } from '../adapters/fs/index.js';
import { crashPoint } from '../adapters/process/crash-points.js';
import { signBundle, type SignReport } from '../workflows/tuf/sign.js';
import { push, tagPushed, type PushReport } from '../workflows/oci/push.js';
import { verifyBundle } from '../workflows/verify/bundle.js';
import type { RegistryAccess } from '../adapters/oci/registry-access.js';

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
  /** After publishing, verify once more reading the metadata from here (e.g. the URL clients use). */
  metadataUrl?: string;
  /** Write the report here. */
  reportPath?: string;
  registry?: RegistryAccess;
  inspections?: boolean;
  /** Pin the images first (resolve them where they live and write their digests into the bundle), as push --fixup. */
  fixup?: boolean;
  /** Where notices go (a stale repository lock broken); default stderr. */
  onNotice?: (message: string) => void;
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
  push: (Pick<PushReport, 'reference' | 'digest' | 'fixup'> & { tagged: boolean }) | null;
  verify: VerifyReport | null;
  /** The transaction: what was staged, and whether it was published or dropped. */
  transaction: {
    /** Metadata roles and versions, and target names, of the change that was staged. */
    staged: { roles: Record<string, number>; targets: string[] } | null;
    published: boolean;
    tagged: boolean;
    /** Why the staged change was dropped (nothing of it is visible). */
    dropped?: string;
  };
  error?: ReturnType<CnabTrustError['toJSON']>;
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineReport> {
  const metadataDir = options.metadataDir ?? 'metadata';
  const keysDir = options.keysDir ?? 'keys';
  const pushTo = options.pushTo ?? options.ref;
  const registry = options.registry ?? {};

  const report: PipelineReport = {
    ok: false,
    ref: options.ref,
    pushedTo: pushTo,
    sign: null,
    push: null,
    verify: null,
    transaction: { staged: null, published: false, tagged: false },
  };
  const finish = async (): Promise<PipelineReport> => {
    if (options.reportPath !== undefined) await writeFileAtomic(options.reportPath, JSON.stringify(report, null, 2) + '\n');
    return report;
  };
  /** A failure of a stage ends the pipeline with the report written (CI keeps it); misuse and bugs are thrown. */
  const failed = async (e: unknown): Promise<PipelineReport> => {
    if (!isCnabTrustError(e) || e.category === 'usage' || e.category === 'internal') throw e;
    report.error = e.toJSON();
    if (report.transaction.staged !== null && !report.transaction.published) {
      report.transaction.dropped = `${e.code}: nothing was published, the staged metadata was dropped${report.push === null ? '' : ' (the pushed content stays untagged)'}`;
    }
    return finish();
  };

  // 2 first with --fixup: the images are pinned into the bundle before it is signed (untagged)
  let pushed: PushReport | undefined;
  const pushUntagged = async (fixup: boolean): Promise<PushReport> => {
    const r = await push(options.bundle, pushTo, { ...registry, tag: false, ...(fixup ? { fixup: true, metadata: metadataDir } : {}) });
    report.push = { reference: r.reference, digest: r.digest, fixup: r.fixup, tagged: false };
    return r;
  };
  if (options.fixup) {
    try {
      pushed = await pushUntagged(true);
    } catch (e) {
      return failed(e);
    }
  }

  // 1. sign (CNAB-Sec 302), published only if the pushed release verifies against the staged metadata (3)
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
      ...(options.onNotice === undefined ? {} : { onNotice: options.onNotice }),
      beforePublish: async (staged) => {
        report.transaction.staged = { roles: {}, targets: [] };
        // 2. push by digest (no tag)
        pushed ??= await pushUntagged(false);
        crashPoint('pushed by digest');
        // 3. verify the pushed content against the staged metadata, with a fresh cache
        report.verify = await verifyStaged(options, pushed, staged.location, metadataDir);
        crashPoint('verified against the staged metadata');
        if (!report.verify.verified) {
          const err = report.verify.error;
          throw new CnabTrustError(err?.code ?? 'E_INTERNAL', `the pushed release does not verify: ${err?.message ?? 'unknown'}`, {
            subject: err?.subject ?? options.ref,
            hint: 'nothing was published: fix the release and run the pipeline again',
          });
        }
      },
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
  report.transaction.staged = { roles: signed.versions, targets: [signed.target.name, ...(signed.layout ? [signed.layout.name] : []), ...signed.links.map((l) => l.name)] };
  report.transaction.published = signed.published;

  // 5. tag, now that the metadata that vouches for it is published
  crashPoint('published');
  try {
    await tagPushed(pushTo, pushed!.digest, registry);
    crashPoint('tagged');
  } catch (e) {
    return failed(e);
  }
  report.push = { ...report.push!, reference: pushTo, tagged: true };
  report.transaction.tagged = true;
  if (options.metadataUrl !== undefined) {
    // published: verify once more as clients will, by tag, from where they read the metadata
    report.verify = await verifyStaged(options, { ...pushed!, reference: pushTo }, options.metadataUrl, metadataDir);
    if (report.verify.error !== undefined) report.error = report.verify.error;
  }
  report.ok = report.verify?.verified === true;
  return finish();
}

/** CNAB-Sec 303 on the pushed index (by digest), trusting `metadata` (the staged copy), with a fresh cache. */
async function verifyStaged(options: PipelineOptions, pushed: Pick<PushReport, 'reference'>, metadata: string, metadataDir: string): Promise<VerifyReport> {
  const cache = await makeTempDir('pipeline-cache');
  try {
    return await verifyBundle({
      bundle: pushed.reference,
      target: options.ref,
      trustedRootPath: options.trustedRootPath ?? path.join(metadataDir, '1.root.json'),
      metadata,
      cacheDir: cache,
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      ...(options.inspections === undefined ? {} : { inspections: options.inspections }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  } finally {
    await removeTempDir(cache);
  }
}
