/**
 * SHA-256 of a file as in-toto records it, read with large synchronous reads into one reused buffer:
 * with Node's OpenSSL this runs at the speed of `openssl dgst -sha256` (see bench/hashing.bench.ts).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fsError } from '../fs/read.js';
import { LineEndingNormalizer } from '../../core/intoto/record/line-endings.js';
import type { HashDict } from '../../core/intoto/record/options.js';

const CHUNK = 1 << 20;
let shared: Buffer | undefined;

export interface HashFileOptions {
  normalizeLineEndings?: boolean;
}

/** The `{"sha256": hex}` of the file's bytes (after line-ending normalization when asked). */
export function hashFile(path: string, options: HashFileOptions = {}): HashDict {
  const buf = (shared ??= Buffer.allocUnsafe(CHUNK));
  const hash = createHash('sha256');
  const normalizer = options.normalizeLineEndings ? new LineEndingNormalizer() : undefined;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fsError(e, path);
  }
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      const chunk = n === CHUNK ? buf : buf.subarray(0, n);
      hash.update(normalizer ? normalizer.transform(chunk) : chunk);
    }
  } catch (e) {
    throw fsError(e, path);
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex') };
}
