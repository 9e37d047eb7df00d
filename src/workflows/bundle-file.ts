/**
 * Bundles from local files, thin or thick: the `digest`, `canonicalize` and `validate` commands, and the reader
 * other workflows use to load a bundle from a path.
 *
 * A thin bundle is a `bundle.json`; its signed artifact is its canonical bytes (JCS). A thick bundle (CNAB 104)
 * is a gzipped tar; its signed artifact is the archive's bytes exactly as stored (CNAB-Sec 300), hashed by
 * streaming. Files are told apart by content (gzip magic), not by name.
 */
import { readFileBounded, writeFileAtomic } from '../adapters/fs/index.js';
// the archive reader (tar, minipass: ~180 kB of code) is loaded only for a thick bundle: start-up of thin digests
import { isGzipFile } from '../adapters/archive/sniff.js';
import {
  bundleImages,
  canonicalizeBundleBytes,
  cnabGoStoredForm,
  type CnabGoStoredForm,
  DEFAULT_MAX_BUNDLE_BYTES,
  type Bundle,
  type BundleImage,
  type CanonicalizedInput,
} from '../core/cnab/index.js';
import { THICK_BUNDLE_JSON } from '../core/cnab/thick-entry.js';

export type BundleFileKind = 'thin' | 'thick';

export interface ArchiveFacts {
  /** `sha256:<hex>` of the archive file: the signed artifact of a thick bundle. */
  digest: string;
  length: number;
  entries: number;
  layoutEntries: number;
}

export interface LoadedBundle extends CanonicalizedInput {
  file: string;
  kind: BundleFileKind;
  /** Name used in messages: the file, or `file!bundle.json` inside an archive. */
  source: string;
  /** For a thick bundle: facts about the archive. */
  archive?: ArchiveFacts;
}

/** Read, parse (strict), validate and canonicalize the bundle in `file` (a bundle.json or a thick .tgz). */
export async function loadBundleFile(file: string): Promise<LoadedBundle> {
  if (await isGzipFile(file)) {
    const { readThickBundle } = await import('../adapters/archive/read.js');
    const thick = await readThickBundle(file);
    const source = `${file}!${THICK_BUNDLE_JSON}`;
    return {
      ...canonicalizeBundleBytes(thick.bundleBytes, { source }),
      file,
      kind: 'thick',
      source,
      archive: { digest: thick.digest, length: thick.length, entries: thick.entries, layoutEntries: thick.layoutEntries },
    };
  }
  const bytes = await readFileBounded(file, { what: 'bundle', maxBytes: DEFAULT_MAX_BUNDLE_BYTES });
  return { ...canonicalizeBundleBytes(bytes, { source: file }), file, kind: 'thin', source: file };
}

/** Read and validate a bundle from a file (thin or thick) and return the model. */
export async function readBundleFile(file: string): Promise<Bundle> {
  return (await loadBundleFile(file)).bundle;
}

/** `cnab-trust digest --json` */
export interface DigestReport {
  /** `sha256:<hex>` of the signed artifact: canonical bundle.json bytes (thin) or the archive bytes (thick). */
  digest: string;
  length: number;
  /**
   * Thin: whether the input bytes were already canonical (digest of input == digest of canonical form).
   * Thick: always false; the archive is signed as stored, it is not canonical JSON.
   */
  canonical: boolean;
  kind: BundleFileKind;
  file: string;
  /** Thick only: the canonical digest of the bundle.json inside the archive. */
  bundle?: { digest: string; length: number; canonical: boolean };
}

export async function digestBundleFile(file: string): Promise<DigestReport> {
  if (await isGzipFile(file)) {
    // the archive's digest needs every byte, its bundle.json only the first entry: the rest is hashed, not inflated
    const { digestThickBundle } = await import('../adapters/archive/read.js');
    const thick = await digestThickBundle(file);
    const bundle = canonicalizeBundleBytes(thick.bundleBytes, { source: `${file}!${THICK_BUNDLE_JSON}` });
    return {
      digest: thick.digest,
      length: thick.length,
      canonical: false,
      kind: 'thick',
      file,
      bundle: { digest: bundle.digest, length: bundle.length, canonical: bundle.canonical },
    };
  }
  const loaded = await loadBundleFile(file);
  return { digest: loaded.digest, length: loaded.length, canonical: loaded.canonical, kind: 'thin', file };
}

/** `cnab-trust canonicalize --json` */
export interface CanonicalizeReport {
  digest: string;
  length: number;
  /** Whether the input was already canonical. */
  canonical: boolean;
  file: string;
  /** Where the canonical bytes were written (absent: stdout). */
  output?: string;
}

/** Canonicalize the bundle in `file`; write to `output` atomically when given. Returns the bytes too. */
export async function canonicalizeBundleFile(file: string, output?: string): Promise<{ report: CanonicalizeReport; bytes: Buffer }> {
  const loaded = await loadBundleFile(file);
  if (output !== undefined) await writeFileAtomic(output, loaded.bytes);
  return {
    report: {
      digest: loaded.digest,
      length: loaded.length,
      canonical: loaded.canonical,
      file,
      ...(output === undefined ? {} : { output }),
    },
    bytes: loaded.bytes,
  };
}

/** `cnab-trust validate --json` */
export interface ValidateReport {
  valid: true;
  file: string;
  kind: BundleFileKind;
  name: string;
  version: string;
  schemaVersion: string;
  images: BundleImage[];
  /**
   * The bundle as cnab-go marshals it (what Porter and cnab-to-oci store in a registry): `same` when those bytes
   * are this file's canonical bytes; else every member that differs and why (README "Bundles").
   */
  cnabGo: CnabGoStoredForm;
  /** Things to know before signing: today, that cnab-go would store other bytes. */
  warnings: string[];
}

/** Warnings about cnab-go's form of a bundle: it cannot read it, or it would store other bytes than `file`'s canonical ones. */
export function cnabGoWarnings(file: string, cnabGo: CnabGoStoredForm): string[] {
  const unreadable = cnabGo.changes.filter((c) => c.change === 'unreadable');
  const out: string[] = [];
  if (unreadable.length > 0) {
    out.push(`cnab-go (Porter, cnab-to-oci) cannot read this bundle: ${unreadable.map((c) => `${c.path}: ${c.reason}`).join('; ')}`);
  }
  if (!cnabGo.same) {
    const changed = cnabGo.changes.filter((c) => c.change !== 'unreadable');
    out.push(
      `pushed with Porter or cnab-to-oci, this bundle is stored as cnab-go marshals it (${cnabGo.digest}), not as ${file}'s canonical bytes: ` +
        `${changed.map((c) => `${c.path} ${c.change} (${c.reason})`).join('; ')}. ` +
        'Sign what is stored: cnab-trust sign <registry ref> --ref <gun>:<tag>',
    );
  }
  return out;
}

/** Validate the bundle in `file`; throws E_JSON_* / E_BUNDLE_SCHEMA / E_ARCHIVE_* when it is not valid. */
export async function validateBundleFile(file: string): Promise<ValidateReport> {
  const loaded = await loadBundleFile(file);
  const b = loaded.bundle;
  const cnabGo = cnabGoStoredForm(loaded.bundle, loaded.bytes);
  return {
    valid: true,
    file,
    kind: loaded.kind,
    name: b.name,
    version: b.version,
    schemaVersion: b.schemaVersion,
    images: bundleImages(b),
    cnabGo,
    // a thick bundle is signed as its archive bytes: how cnab-go would store its bundle.json does not change them
    warnings: loaded.kind === 'thin' ? cnabGoWarnings(file, cnabGo) : [],
  };
}
