/**
 * Writing a thick bundle (CNAB 104): `bundle.json` (the given bytes, normally canonical) and an OCI image layout
 * directory under `artifacts/layout/`, as a gzipped tar. The output is reproducible for the same inputs: entries
 * in sorted order, fixed mtime, no owner names (tar `portable`), so the archive digest is stable.
 *
 * The layout is staged in a temp directory beside the output (tar reads files relative to one directory), and
 * the archive is written to a temp file and renamed into place (atomic). Links in the layout are refused: the
 * reader would refuse them (core/cnab/thick-entry.ts).
 */
import { mkdtemp, readdir, lstat, mkdir, copyFile, writeFile, rm, constants as fsConstants } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { create as createTar } from 'tar';
import { CnabTrustError } from '../../core/errors.js';
import { THICK_BUNDLE_JSON, THICK_LAYOUT_DIR } from '../../core/cnab/thick-entry.js';
import { fsError } from '../fs/read.js';
import { sha256File, type FileDigest } from '../fs/digest.js';
import { renameDurably } from '../fs/write.js';

export interface ThickBundleSource {
  /** The bytes to store as `bundle.json` (use the canonical bytes: they are what was signed). */
  bundleBytes: Uint8Array;
  /** An OCI image layout directory (oci-layout, index.json, blobs/) to store as `artifacts/layout/`. */
  layoutDir?: string;
  /**
   * More directory trees to store, each under its archive name (e.g. `artifacts/tuf`: the TUF metadata and in-toto
   * files an airgapped verifier needs, CNAB 805). Names are relative, `/`-separated, without `..`.
   */
  extraDirs?: ReadonlyArray<{ name: string; dir: string }>;
}

/** Write `outFile` (.tgz) atomically; returns the archive's digest and length. */
export async function writeThickBundle(outFile: string, source: ThickBundleSource): Promise<FileDigest> {
  const outDir = path.dirname(path.resolve(outFile));
  let staging: string;
  try {
    staging = await mkdtemp(path.join(outDir, '.cnab-thick-'));
  } catch (e) {
    throw fsError(e, outDir, 'write to');
  }
  const temp = path.join(outDir, `.${path.basename(outFile)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(path.join(staging, THICK_BUNDLE_JSON), source.bundleBytes, { mode: 0o644 });
    const names = [THICK_BUNDLE_JSON];
    if (source.layoutDir !== undefined) {
      const target = path.join(staging, THICK_LAYOUT_DIR);
      await mkdir(target, { recursive: true });
      names.push('artifacts', THICK_LAYOUT_DIR, ...(await copyTree(source.layoutDir, target, THICK_LAYOUT_DIR)));
    }
    for (const extra of source.extraDirs ?? []) {
      const parts = extra.name.split('/');
      if (parts.some((p) => p === '' || p === '.' || p === '..') || extra.name === THICK_BUNDLE_JSON) {
        throw new CnabTrustError('E_USAGE', `cannot store a directory as ${JSON.stringify(extra.name)} in a thick bundle`, { subject: extra.name });
      }
      const target = path.join(staging, ...parts);
      await mkdir(target, { recursive: true });
      for (let i = 1; i <= parts.length; i++) {
        const parent = parts.slice(0, i).join('/');
        if (!names.includes(parent)) names.push(parent);
      }
      names.push(...(await copyTree(extra.dir, target, extra.name)));
    }
    await createTar(
      {
        gzip: { level: 9 },
        file: temp,
        cwd: staging,
        portable: true,
        mtime: new Date(0),
        noDirRecurse: true,
        strict: true,
      },
      names,
    );
    await renameDurably(temp, outFile); // atomic: fsync, rename, fsync the directory
  } catch (e) {
    await rm(temp, { force: true });
    throw fsError(e, outFile, 'write');
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return sha256File(outFile);
}

/** Copy regular files and directories from `from` into `to`; returns the archive names in sorted order. */
async function copyTree(from: string, to: string, prefix: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch (e) {
    throw fsError(e, from);
  }
  const names: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    const name = `${prefix}/${entry.name}`;
    const st = await lstat(src);
    if (st.isDirectory()) {
      await mkdir(dst);
      names.push(name, ...(await copyTree(src, dst, name)));
    } else if (st.isFile()) {
      await copyFile(src, dst, fsConstants.COPYFILE_FICLONE);
      names.push(name);
    } else {
      throw new CnabTrustError('E_ARCHIVE_UNSAFE', `cannot put ${src} in a thick bundle: only regular files and directories are allowed`, {
        subject: src,
      });
    }
  }
  return names;
}
