/**
 * SHA-256 of a file by streaming (never the whole file in memory): the signed artifact of a thick bundle is
 * the archive's bytes (CNAB-Sec 300, ADR 0001), and archives can be gigabytes.
 */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { fsError } from './read.js';

export interface FileDigest {
  /** `sha256:<hex>` */
  digest: string;
  /** Bytes hashed. */
  length: number;
}

export async function sha256File(file: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let length = 0;
  try {
    const stream = createReadStream(file, { highWaterMark: 1024 * 1024 });
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      length += (chunk as Buffer).length;
    }
  } catch (e) {
    throw fsError(e, file);
  }
  return { digest: `sha256:${hash.digest('hex')}`, length };
}
