/**
 * Bundles from local files, thin or thick: the `digest`, `canonicalize` and `validate` commands, and the reader
 * other workflows use to load a bundle from a path.
 *
 * A thin bundle is a `bundle.json`; its signed artifact is its canonical bytes (JCS). A thick bundle (CNAB 104)
 * is a gzipped tar; its signed artifact is the archive's bytes exactly as stored (CNAB-Sec 300), hashed by
 * streaming. Files are told apart by content (gzip magic), not by name.
 */
import { writeFileAtomic } from '../../adapters/fs/index.js';
// the archive reader (tar, minipass: ~180 kB of code) is loaded only for a thick bundle: start-up of thin digests
import { isGzipFile } from '../../adapters/archive/sniff.js';
import { bundleImages, canonicalizeBundleBytes, cnabGoStoredForm, type CnabGoStoredForm, type BundleImage } from '../../core/cnab/index.js';
import { THICK_BUNDLE_JSON } from '../../core/cnab/thick-entry.js';
import { cnabGoWarnings } from '../../core/cnab/cnab-go-warnings.js';
import { loadBundleFile, type BundleFileKind } from '../../adapters/cnab/bundle-file.js';

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
    const { digestThickBundle } = await import('../../adapters/archive/read.js');
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
