/**
 * A bundle from a local file, thin or thick. A thin bundle is a `bundle.json`; its signed artifact is its canonical
 * bytes (JCS). A thick bundle (CNAB 104) is a gzipped tar; its signed artifact is the archive's bytes exactly as
 * stored (CNAB-Sec 300), hashed by streaming. Files are told apart by content (gzip magic), not by name.
 */
import { canonicalizeBundleBytes, DEFAULT_MAX_BUNDLE_BYTES, type Bundle, type CanonicalizedInput } from '../../core/cnab/index.js';
import { THICK_BUNDLE_JSON } from '../../core/cnab/thick-entry.js';
import { isGzipFile } from '../archive/sniff.js';
import { readFileBounded } from '../fs/index.js';

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
    const { readThickBundle } = await import('../archive/read.js');
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
