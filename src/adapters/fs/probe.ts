/**
 * Questions about paths that workflows ask before choosing what to read: whether something exists, whether it is
 * a regular file and how big, what a directory holds. A path that cannot be examined answers "no" (the read that
 * follows names the file in its error); only `listDirectory` throws, as E_IO / E_FILE_NOT_FOUND naming the dir.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { access, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fsError } from './read.js';

/** Whether anything exists at `file` (synchronous: used while parsing arguments). */
export function pathExists(file: string): boolean {
  return existsSync(file);
}

/** Whether anything exists at `file`. */
export async function pathExistsAsync(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** The size of the regular file at `file`, or undefined when there is none. */
export async function regularFileSize(file: string): Promise<number | undefined> {
  return stat(file).then(
    (st) => (st.isFile() ? st.size : undefined),
    () => undefined,
  );
}

/** Whether `file` is a regular file. */
export async function isRegularFile(file: string): Promise<boolean> {
  return (await regularFileSize(file)) !== undefined;
}

/** The names in a directory (E_FILE_NOT_FOUND / E_IO naming it when it cannot be listed). */
export async function listDirectory(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    throw fsError(e, dir, 'list');
  }
}

/** Remove a file if it is there; a file already gone is fine. */
export async function removeFileIfPresent(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}

/**
 * Create `file` (and its directory) with `bytes`, refusing to replace anything there (`wx`). Synchronous and not
 * atomic on purpose: for scratch directories only, never for anything another process reads.
 */
export function createFileExclusiveSync(file: string, bytes: Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes, { flag: 'wx' });
}

/** Whether `dir` is a directory. */
export async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (st) => st.isDirectory(),
    () => false,
  );
}
