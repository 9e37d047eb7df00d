/** Layout/link bytes from a local directory (`--links DIR`), sublayout links from its subfolders. */
import { readFile, stat } from 'node:fs/promises';
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
    try {
      const st = await stat(file);
      if (!st.isFile()) return undefined;
      if (st.size > MAX_METADATA_BYTES) {
        throw new CnabTrustError('E_JSON_TOO_LARGE', `${file} is ${st.size} bytes, more than ${MAX_METADATA_BYTES}`, { subject: file });
      }
      return await readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined; // 1.3.1 skips a link file it cannot open
      throw fsError(e, file);
    }
  }
}
