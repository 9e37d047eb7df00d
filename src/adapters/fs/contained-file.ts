/**
 * Opening a file of a directory tree handed to us (an OCI image layout, `oci:DIR`): only a regular file whose real
 * path stays inside the tree is opened. A FIFO, device or socket, or a symbolic link leading out of the tree, is
 * refused before a byte is read: a FIFO `index.json` hung verify, a blob symlinked to /dev/zero filled memory.
 * The open itself never blocks (O_NONBLOCK: a FIFO swapped in after the check is then refused by its type).
 */
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface ContainedFile {
  handle: FileHandle;
  size: number;
}

/**
 * Open `file` below `root`; undefined when it does not exist. `refuse(why)` builds the error thrown for a file that
 * is not a regular file inside the tree.
 */
export async function openContainedFile(file: string, root: string, refuse: (why: string) => Error): Promise<ContainedFile | undefined> {
  const realRoot = await realpath(root).catch(() => path.resolve(root));
  let real: string;
  try {
    real = await realpath(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw refuse(`is a symbolic link leading out of ${root} (to ${real})`);
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a directory' : 'not a file';
      throw refuse(`is ${kind}, not a regular file`);
    }
    return { handle, size: st.size };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** Read at most `maxBytes` of an opened file (one more byte is read to tell that it is larger: then `tooLarge`). */
export async function readContainedFile(file: ContainedFile, maxBytes: number, tooLarge: (size: number) => Error): Promise<Buffer> {
  if (file.size > maxBytes) throw tooLarge(file.size);
  const buf = Buffer.allocUnsafe(Math.min(file.size, maxBytes) + 1);
  let total = 0;
  for (;;) {
    const { bytesRead } = await file.handle.read(buf, total, buf.length - total, total);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > maxBytes) throw tooLarge(total);
    if (total === buf.length) break;
  }
  return buf.subarray(0, total);
}
