/** Layout/link bytes from a local directory (`--links DIR`), sublayout links from its subfolders. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { CnabTrustError } from '../../core/errors.js';
import type { MetadataSource } from '../../core/intoto/verify.js';
import { MAX_METADATA_BYTES } from '../../core/intoto/json.js';
import { fsError } from '../fs/read.js';

export class DirectoryMetadataSource implements MetadataSource {
  constructor(private readonly root: string) {}

  async read(dir: readonly string[], name: string): Promise<Uint8Array | undefined> {
    for (const seg of [...dir, name]) {
      if (seg === '' || seg === '.' || seg === '..' || seg.includes('/') || seg.includes('\\') || seg.includes('\0')) {
        throw new CnabTrustError('E_INTOTO_PATH', `link path segment ${JSON.stringify(seg)} would leave ${this.root}`, { subject: seg });
      }
    }
    const file = path.join(this.root, ...dir, name);
    // Synchronous reads: a CLI verifying one chain gains nothing from the thread pool, and each async hop
    // costs scheduling latency on a busy machine.
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined; // 1.3.1 skips a link file it cannot open
      throw fsError(e, file);
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return undefined;
      if (st.size > MAX_METADATA_BYTES) {
        throw new CnabTrustError('E_JSON_TOO_LARGE', `${file} is ${st.size} bytes, more than ${MAX_METADATA_BYTES}`, { subject: file });
      }
      const buf = Buffer.allocUnsafe(st.size);
      let off = 0;
      while (off < st.size) {
        const n = readSync(fd, buf, off, st.size - off, off);
        if (n === 0) break;
        off += n;
      }
      return buf.subarray(0, off);
    } catch (e) {
      throw fsError(e, file);
    } finally {
      closeSync(fd);
    }
  }
}
