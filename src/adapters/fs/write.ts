/**
 * Atomic file writes (docs/architecture.md §6): a temp file in the same directory, fsync, rename over the target, fsync
 * of the directory. A reader sees the old file or the new one, never a torn one. `mode` (e.g. 0o600 for
 * private keys) is applied when the temp file is created, so the content is never readable by others.
 */
import { open, rename, unlink, mkdir } from 'node:fs/promises';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fsError } from './read.js';
import { crashPoint } from '../process/crash-points.js';

export interface AtomicWriteOptions {
  /** Permission bits of the new file. Default 0o644 (before umask). Use 0o600 for anything secret. */
  mode?: number;
  /** Create missing parent directories (mode 0o755, or 0o700 when `mode` gives no group/other access). */
  mkdirs?: boolean;
}

export async function writeFileAtomic(file: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o644;
  const dir = path.dirname(path.resolve(file));
  if (options.mkdirs) {
    try {
      await mkdir(dir, { recursive: true, mode: (mode & 0o077) === 0 ? 0o700 : 0o755 });
    } catch (e) {
      throw fsError(e, dir, 'create directory');
    }
  }
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(temp, 'wx', mode);
  } catch (e) {
    throw fsError(e, file, 'write');
  }
  try {
    try {
      // open() applies the umask; chmod makes the mode exact (a 0o600 key stays 0o600, 0o644 stays readable).
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    crashPoint(`temp written for ${path.basename(file)}`);
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw fsError(e, file, 'write');
  }
  await syncDirectory(dir);
  crashPoint(`renamed ${path.basename(file)}`);
}

/**
 * Put a finished temp file (written by a library, e.g. a tar or a stream, in the target's directory) in place the
 * way `writeFileAtomic` does: fsync its content, rename it over `file`, fsync the directory. The caller removes
 * the temp file when this throws.
 */
export async function renameDurably(temp: string, file: string): Promise<void> {
  const handle = await open(temp, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  await syncDirectory(path.dirname(path.resolve(file)));
}

/** fsync a directory so that a rename in it survives a crash; some platforms refuse, which is harmless. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Not supported here (e.g. some filesystems): the rename is still atomic, only its durability is weaker.
  } finally {
    await handle?.close();
  }
}

/**
 * `writeFileAtomic` for callers that cannot wait (a library's synchronous persistence hook, e.g. tuf-js's
 * `persistMetadata`): temp file, fsync, rename. The directory is not fsynced (best effort, as the async form on
 * platforms that refuse it).
 */
export function writeFileAtomicSync(file: string, data: Uint8Array | string, mode = 0o644): void {
  const temp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  try {
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw fsError(e, file, 'write');
  }
}
