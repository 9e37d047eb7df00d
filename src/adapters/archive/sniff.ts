/** Tell a gzip file (a thick bundle) from anything else by its first two bytes (RFC 1952 magic 1f 8b). */
import { open } from 'node:fs/promises';
import { fsError } from '../fs/read.js';

export async function isGzipFile(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
    const buf = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } catch (e) {
    throw fsError(e, file);
  } finally {
    await handle?.close();
  }
}
