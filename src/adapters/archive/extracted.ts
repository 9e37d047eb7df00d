/**
 * The layout of an exported (air-gap) archive, and reading one back: a thick bundle (CNAB 104) that also carries
 * the TUF metadata, the signed target's name and the in-toto layout a verifier needs offline.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { CnabTrustError } from '../../core/errors.js';
import { parseJson } from '../../core/json/index.js';
import { readFileBounded } from '../fs/index.js';
import { makeTempDir, removeTempDir } from '../fs/temp-dir.js';
import { readThickBundle } from './index.js';

export const ARCHIVE_TUF_DIR = 'artifacts/tuf';
export const ARCHIVE_METADATA_DIR = `${ARCHIVE_TUF_DIR}/metadata`;
export const ARCHIVE_TARGET_FILE = `${ARCHIVE_TUF_DIR}/target.json`;
export const ARCHIVE_LAYOUT_DIR = 'artifacts/layout';

/** An exported archive, extracted into a temporary directory (removed by `dispose`). */
export interface ExtractedArchive {
  dir: string;
  /** The archive file's digest and length (the signed artifact when a thick bundle was signed). */
  archive: { digest: string; length: number };
  bundleBytes: Buffer;
  layoutDir: string;
  /** The carried TUF metadata directory, when the archive has one. */
  metadataDir?: string;
  /** The signed target the archive names, when it names one. */
  target?: string;
  /**
   * Extract these blobs of the archive's layout (`sha256:` digests; others are ignored) in a further pass, checking
   * that the archive did not change in between. With scope 'tuf', nothing of the layout but `oci-layout` and
   * `index.json` is extracted until this is called.
   */
  extractLayoutBlobs(digests: Iterable<string>): Promise<void>;
  dispose(): Promise<void>;
}

/** Most bytes of the TUF metadata and in-toto files an archive carries that are extracted before TUF is consulted. */
const MAX_TUF_EXTRACT_BYTES = 256 * 1024 * 1024;
const BLOB_DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Extract an archive into a fresh temporary directory. Scope 'all' (import): every entry. Scope 'tuf' (verify):
 * only what TUF needs (`artifacts/tuf/`, at most 256 MiB) and the layout's `oci-layout` and `index.json`; the blobs
 * the verified bundle and its index reference come later through `extractLayoutBlobs`. Either way every entry
 * passes the archive policy and the expansion is bounded (read.ts).
 */
export async function extractArchive(file: string, scope: 'all' | 'tuf' = 'all'): Promise<ExtractedArchive> {
  const dir = await makeTempDir('archive');
  const layoutFiles = new Set([`${ARCHIVE_LAYOUT_DIR}/oci-layout`, `${ARCHIVE_LAYOUT_DIR}/index.json`]);
  const firstPass =
    scope === 'all'
      ? dir
      : { dir, maxBytes: MAX_TUF_EXTRACT_BYTES, select: (name: string) => name === ARCHIVE_TUF_DIR || name.startsWith(`${ARCHIVE_TUF_DIR}/`) || layoutFiles.has(name) };
  try {
    const read = await readThickBundle(file, {}, firstPass);
    const extractedBlobs = new Set<string>();
    const extractLayoutBlobs = async (digests: Iterable<string>): Promise<void> => {
      if (scope === 'all') return;
      const names = new Set(
        [...digests]
          .filter((d) => BLOB_DIGEST.test(d))
          .map((d) => `${ARCHIVE_LAYOUT_DIR}/blobs/sha256/${d.slice('sha256:'.length)}`)
          .filter((name) => !extractedBlobs.has(name)),
      );
      if (names.size === 0) return;
      for (const name of names) extractedBlobs.add(name);
      const again = await readThickBundle(file, {}, { dir, select: (name) => names.has(name) });
      if (again.digest !== read.digest) {
        throw new CnabTrustError('E_ARCHIVE_INVALID', `${file} changed while it was being read`, { subject: file });
      }
    };
    const metadataDir = path.join(dir, ...ARCHIVE_METADATA_DIR.split('/'));
    let target: string | undefined;
    const targetFile = path.join(dir, ...ARCHIVE_TARGET_FILE.split('/'));
    const targetDoc = await readFileBounded(targetFile, { maxBytes: 64 * 1024 }).then(
      (b) => parseJson(b, { source: `${file}!${ARCHIVE_TARGET_FILE}` }) as { target?: unknown },
      () => undefined,
    );
    if (targetDoc !== undefined) {
      if (typeof targetDoc.target !== 'string') {
        throw new CnabTrustError('E_ARCHIVE_INVALID', `${file}!${ARCHIVE_TARGET_FILE} does not name a target`, { subject: file });
      }
      target = targetDoc.target;
    }
    const hasMetadata = await readdir(metadataDir).then(
      () => true,
      () => false,
    );
    return {
      dir,
      archive: { digest: read.digest, length: read.length },
      bundleBytes: read.bundleBytes,
      layoutDir: path.join(dir, ...ARCHIVE_LAYOUT_DIR.split('/')),
      ...(hasMetadata ? { metadataDir } : {}),
      ...(target === undefined ? {} : { target }),
      extractLayoutBlobs,
      dispose: () => removeTempDir(dir),
    };
  } catch (e) {
    await removeTempDir(dir);
    throw e;
  }
}
