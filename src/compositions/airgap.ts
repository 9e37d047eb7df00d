/**
 * Airgap (CNAB 805) with verification carried along:
 *
 *  - `export <ref> -o bundle.tgz`: verify the bundle first (CNAB-Sec 303; nothing unverified is exported), then write
 *    a thick bundle (CNAB 104): `bundle.json` (the signed bytes), `artifacts/layout/` (an OCI image layout holding the
 *    bundle's index, tagged with its tag, and every image, digests preserved), and `artifacts/tuf/`: the TUF metadata
 *    a client needs (every `N.root.json`, `timestamp.json`, the versioned snapshot, targets and delegated roles, laid
 *    out as metadata/README.md describes) with the in-toto target files (layout, keys, links), and `target.json`
 *    naming the signed target.
 *  - `verify bundle.tgz --trusted-root root.json`: extract it (the archive policy refuses `..`, links, devices and
 *    absurd sizes) and verify it offline against the carried metadata, from the root the user trusts.
 *  - `import bundle.tgz <registry/repository>`: relocate the bundle from the archive's layout into a registry and
 *    write the CNAB 103 relocation mapping.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CnabTrustError, isCnabTrustError } from '../core/errors.js';
import { parseJson } from '../core/json/index.js';
import { roleFilePath, targetFilePath } from '../core/tuf/naming.js';
import { bundleIntotoListing, layoutKeyTargets } from '../core/verify/intoto-targets.js';
import { gunOfTarget, policyTargetName } from '../core/verify/intoto-policy.js';
import type { VerifyReport } from '../core/verify/report.js';
import { writeThickBundle } from '../adapters/archive/index.js';
import { ARCHIVE_TUF_DIR, extractArchive } from '../adapters/archive/extracted.js';
import { readFileBounded } from '../adapters/fs/index.js';
import { makeTempDir, removeTempDir } from '../adapters/fs/temp-dir.js';
import { TufClient } from '../adapters/tuf/tuf-client.js';
import { RoutingFetcher } from '../adapters/tuf/routing-fetcher.js';
import { relocate, type RelocateReport } from '../workflows/oci/relocate.js';
import type { RegistryAccess } from '../adapters/oci/registry-access.js';
import type { CopyProgress } from '../adapters/oci/copy.js';
import { verifyBundle, type VerifyBundleOptions } from '../workflows/verify/bundle.js';

const MAX_ROOT_BYTES = 512_000;

export interface ExportOptions extends Pick<VerifyBundleOptions, 'trustedRoot' | 'trustedRootPath' | 'metadata' | 'target' | 'now' | 'http' | 'inspections'> {
  output: string;
  registry?: RegistryAccess;
  /** Progress of the image copy into the archive's layout. */
  onProgress?: (p: CopyProgress) => void;
}

export interface ExportReport {
  source: string;
  output: string;
  target: string;
  digest: string;
  length: number;
  /** The verification that preceded the export. */
  verify: VerifyReport;
  metadataFiles: number;
  intotoFiles: number;
}

export async function exportBundle(source: string, options: ExportOptions): Promise<ExportReport> {
  const work = await makeTempDir('export');
  try {
    const cacheDir = path.join(work, 'cache');
    // 1. CNAB-Sec 303 first: only a verified bundle is exported (and the trusted metadata stays in cacheDir)
    const verified = await verifyBundle({
      bundle: source,
      ...pick(options),
      cacheDir,
      ...(options.registry === undefined ? {} : { registry: options.registry }),
    });
    if (!verified.verified) {
      const e = verified.error!;
      throw new CnabTrustError(e.code, `not exported: ${source} does not verify: ${e.message}`, {
        ...(e.subject === undefined ? {} : { subject: e.subject }),
        ...(e.hint === undefined ? {} : { hint: e.hint }),
      });
    }
    const target = verified.target!;
    const tag = target.name.slice(target.name.lastIndexOf(':') + 1);

    // 2. the bundle's index, images and blobs, verbatim, into an OCI layout
    const layoutDir = path.join(work, 'layout');
    await relocate(source, `oci:${layoutDir}:${tag}`, {
      ...(options.registry ?? {}),
      output: path.join(work, 'mapping.json'),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });

    // 3. the TUF metadata a client walks, from the trusted cache (exact bytes) and the root chain from the source
    const metadataDir = path.join(work, 'tuf', 'metadata');
    const metadataFiles = await copyTrustedMetadata(cacheDir, options.metadata!, metadataDir, options.http);
    // 4. the in-toto target files, downloaded through TUF (verified), stored as the repository stores them
    const intotoFiles = await copyIntotoTargets(target, cacheDir, options, metadataDir);
    await writeFile(path.join(work, 'tuf', 'target.json'), JSON.stringify({ target: target.name }) + '\n');

    // bundle.json at the archive root: the signed bytes, as stored in the layout's bundle config blob
    const { readStoredBundleIndex } = await import('../adapters/oci/stored-bundle.js');
    const { LayoutStore } = await import('../adapters/oci/layout-store.js');
    const { parseImageLocation } = await import('../core/reference/location.js');
    const layoutStore = new LayoutStore(layoutDir);
    const location = parseImageLocation(`oci:${layoutDir}:${tag}`);
    const stored = await readStoredBundleIndex({ location, store: layoutStore, reference: tag, tag, digest: undefined });
    const bundleBytes = await layoutStore.fetchBlob(stored.config, target.length);
    const written = await writeThickBundle(options.output, {
      bundleBytes,
      layoutDir,
      extraDirs: [{ name: ARCHIVE_TUF_DIR, dir: path.join(work, 'tuf') }],
    });
    return {
      source,
      output: options.output,
      target: target.name,
      digest: written.digest,
      length: written.length,
      verify: verified,
      metadataFiles,
      intotoFiles,
    };
  } finally {
    await removeTempDir(work);
  }
}

function pick(options: ExportOptions): Omit<VerifyBundleOptions, 'bundle'> {
  if (options.metadata === undefined) throw new CnabTrustError('E_USAGE', 'give --metadata <url|dir>', { subject: '--metadata' });
  return {
    metadata: options.metadata,
    ...(options.trustedRoot === undefined ? {} : { trustedRoot: options.trustedRoot }),
    ...(options.trustedRootPath === undefined ? {} : { trustedRootPath: options.trustedRootPath }),
    ...(options.target === undefined ? {} : { target: options.target }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.http === undefined ? {} : { http: options.http }),
    ...(options.inspections === undefined ? {} : { inspections: options.inspections }),
  };
}

/** Version of a metadata file's `signed.version` (bytes already verified by the client). */
function versionOf(bytes: Buffer, file: string): number {
  const doc = parseJson(bytes, { source: file }) as { signed?: { version?: unknown } };
  const v = doc.signed?.version;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new CnabTrustError('E_TUF_INVALID', `${file} has no version`, { subject: file });
  return v;
}

/**
 * Lay out the trusted cache as a repository (metadata/README.md): `N.root.json` for every root version up to the
 * trusted one (fetched from the source; the offline verifier checks each), `timestamp.json`, and `V.<role>.json`.
 */
async function copyTrustedMetadata(cacheDir: string, source: string, out: string, http: VerifyBundleOptions['http']): Promise<number> {
  await mkdir(out, { recursive: true });
  let count = 0;
  const fetcher = new RoutingFetcher(http);
  const base = fetcher.baseUrlFor(source);
  const sep = base.endsWith('/') ? '' : '/';
  const rootVersion = versionOf(await readFile(path.join(cacheDir, 'root.json')), 'root.json');
  for (let n = 1; n <= rootVersion; n++) {
    const bytes = await fetcher.downloadBytes(`${base}${sep}${n}.root.json`, MAX_ROOT_BYTES);
    await writeFile(path.join(out, `${n}.root.json`), bytes);
    count++;
  }
  for (const file of (await readdir(cacheDir)).sort()) {
    if (!file.endsWith('.json') || file === 'root.json') continue;
    const bytes = await readFile(path.join(cacheDir, file));
    const role = decodeURIComponent(file.slice(0, -'.json'.length));
    const name = roleFilePath(role, role === 'timestamp' ? undefined : versionOf(bytes, file));
    const dest = path.join(out, ...name.split('/'));
    await mkdir(path.dirname(dest), { recursive: true });
    await writeFile(dest, bytes);
    count++;
  }
  return count;
}

/** Download the layout, its keys and the links of the target through TUF into `<out>/targets/...`. */
async function copyIntotoTargets(
  target: NonNullable<VerifyReport['target']>,
  cacheDir: string,
  options: ExportOptions,
  out: string,
): Promise<number> {
  const listing = bundleIntotoListing(target);
  if (listing === undefined) return 0;
  const client = await TufClient.open({ metadata: options.metadata!, cacheDir, ...(options.http === undefined ? {} : { http: options.http }), ...(options.now === undefined ? {} : { now: options.now }) });
  try {
    await client.refresh();
    const layout = await client.getTarget(listing.layout);
    const names = [listing.layout, ...layoutKeyTargets(layout), ...listing.links];
    // the GUN's policy (signed by targets) travels too, so that the offline verifier requires in-toto as well
    const gun = gunOfTarget(target.name);
    if (gun !== undefined) {
      const policy = await client.getTarget(policyTargetName(gun)).catch((e: unknown) => {
        if (isCnabTrustError(e) && (e.code === 'E_TUF_TARGET_NOT_FOUND' || e.code === 'E_TUF_DELEGATION')) return undefined;
        throw e;
      });
      if (policy !== undefined) names.push(policy.name);
    }
    for (const name of names) {
      const { target: t, bytes } = await client.readTarget(name);
      const dest = path.join(out, ...targetFilePath(name, t.hashes['sha256']!).split('/'));
      await mkdir(path.dirname(dest), { recursive: true });
      await writeFile(dest, bytes);
    }
    return names.length;
  } finally {
    await client.close();
  }
}

export interface ImportOptions extends RegistryAccess {
  /** Where to write the relocation mapping (default `relocation-mapping.json`). */
  output?: string;
  /** The tag to import (default: the tag of the target the archive names). */
  tag?: string;
  /** Progress of the image copy into the registry. */
  onProgress?: (p: CopyProgress) => void;
}

/** CNAB 805 import: relocate the archive's bundle into `repository` and write the relocation mapping. */
export async function importBundle(file: string, repository: string, options: ImportOptions = {}): Promise<RelocateReport & { target?: string }> {
  const extracted = await extractArchive(file);
  try {
    const tag = options.tag ?? (extracted.target === undefined ? undefined : extracted.target.slice(extracted.target.lastIndexOf(':') + 1));
    if (tag === undefined) {
      throw new CnabTrustError('E_USAGE', `${file} names no signed target: give the tag to import (--tag)`, { subject: file });
    }
    const report = await relocate(`oci:${extracted.layoutDir}:${tag}`, repository, options);
    return { ...report, source: file, ...(extracted.target === undefined ? {} : { target: extracted.target }) };
  } finally {
    await extracted.dispose();
  }
}
