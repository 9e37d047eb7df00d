/**
 * Reading local files as untrusted input: always with a size bound, and with the operating system's errors
 * turned into `CnabTrustError`s that name the file (ENOENT -> E_FILE_NOT_FOUND, anything else -> E_IO).
 */
import { open } from 'node:fs/promises';
import { CnabTrustError } from '../../core/errors.js';
import { parseJson, type JsonParseOptions, type JsonValue } from '../../core/json/index.js';

/** Default bound for a file read whole into memory: 32 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;

export interface ReadBoundedOptions {
  /** Largest file accepted, in bytes. Default `DEFAULT_MAX_FILE_BYTES`. */
  maxBytes?: number;
  /** What the file is, for messages ("bundle", "relocation mapping"). Default "file". */
  what?: string;
}

/** Turn an error from `node:fs` about `file` into a `CnabTrustError` naming it. */
export function fsError(e: unknown, file: string, action = 'read'): CnabTrustError {
  if (e instanceof CnabTrustError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new CnabTrustError('E_FILE_NOT_FOUND', `file not found: ${file}`, { subject: file, cause: e });
  }
  const reason =
    code === 'EISDIR'
      ? 'it is a directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : ((e as Error | undefined)?.message ?? String(e));
  return new CnabTrustError('E_IO', `cannot ${action} ${file}: ${reason}`, {
    subject: file,
    cause: e,
    ...(code === undefined ? {} : { details: { errno: code } }),
  });
}

/**
 * Read a whole file, refusing one larger than `maxBytes` (checked before reading, and again while reading
 * in case the file grows or is not a regular file).
 */
export async function readFileBounded(file: string, options: ReadBoundedOptions = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const what = options.what ?? 'file';
  const tooLarge = (size: number | string): CnabTrustError =>
    new CnabTrustError('E_FILE_TOO_LARGE', `${what} ${file} is ${size} bytes, more than the limit of ${maxBytes}`, {
      subject: file,
      details: { limit: maxBytes },
    });
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    throw fsError(e, file);
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw fsError(Object.assign(new Error('is a directory'), { code: 'EISDIR' }), file);
    if (st.isFile() && st.size > maxBytes) throw tooLarge(st.size);
    const chunks: Buffer[] = [];
    let total = 0;
    const chunkSize = st.isFile() && st.size > 0 ? Math.min(st.size + 1, maxBytes + 1) : 64 * 1024;
    for (;;) {
      const buf = Buffer.allocUnsafe(chunkSize);
      const { bytesRead } = await handle.read(buf, 0, chunkSize, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(`more than ${maxBytes}`);
      chunks.push(bytesRead === chunkSize ? buf : buf.subarray(0, bytesRead));
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (e) {
    throw fsError(e, file);
  } finally {
    await handle.close();
  }
}

/** Read and strictly parse a JSON file (duplicate keys, depth and size bounded; see core/json). */
export async function readJsonFile(
  file: string,
  options: ReadBoundedOptions & Omit<JsonParseOptions, 'source' | 'maxBytes'> = {},
): Promise<{ value: JsonValue; bytes: Buffer }> {
  const bytes = await readFileBounded(file, options);
  const value = parseJson(bytes, {
    source: file,
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    ...(options.markFloats === undefined ? {} : { markFloats: options.markFloats }),
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  });
  return { value, bytes };
}
