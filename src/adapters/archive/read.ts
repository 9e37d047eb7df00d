/**
 * Reading a thick bundle (CNAB 104): one streaming pass over the archive file that
 *  - hashes the archive bytes exactly as stored (the signed artifact of a thick bundle, CNAB-Sec 300),
 *  - gunzips and walks the tar entries with the `tar` package's parser, asking the core policy
 *    (core/cnab/thick-entry.ts) about every entry before its content is read,
 *  - keeps only `bundle.json` in memory (bounded), skipping everything else.
 * The whole archive is never held in memory and nothing is written to disk.
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { once } from 'node:events';
import { Parser, type ReadEntry } from 'tar';
import { CnabTrustError } from '../../core/errors.js';
import {
  ThickArchivePolicy,
  DEFAULT_THICK_ARCHIVE_LIMITS,
  MAX_META_ENTRY_BYTES,
  normalizeEntryName,
  type ThickArchiveLimits,
} from '../../core/cnab/thick-entry.js';
import { fsError } from '../fs/read.js';

export interface ThickBundleContents {
  /** `sha256:<hex>` of the archive file's bytes. */
  digest: string;
  /** Size of the archive file in bytes. */
  length: number;
  /** The bytes of `bundle.json` as stored in the archive (not yet parsed). */
  bundleBytes: Buffer;
  /** Number of entries in the archive. */
  entries: number;
  /** Number of entries under `artifacts/layout/`. */
  layoutEntries: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** What to extract: where to, which entries (by normalized name), and how many bytes at most. */
export interface ThickExtractOptions {
  /** An empty directory the caller owns. */
  dir: string;
  /** Extract only the entries (files and directories) for which this is true. Default: every entry. */
  select?: (name: string) => boolean;
  /** Most bytes of content written (E_ARCHIVE_TOO_LARGE beyond). Default: the archive limits' total. */
  maxBytes?: number;
}

/**
 * Read (and, with `extract`, extract) a thick bundle. Extraction writes the selected admitted entries below
 * `extract.dir` under their normalized names (the policy has refused absolute names, `..`, links and devices); a
 * name given twice is refused (E_ARCHIVE_UNSAFE), never overwritten. Every entry is checked by the policy and
 * the decompressed stream is bounded (total, and expansion ratio against the gzip bytes read), selected or not.
 */
export async function readThickBundle(
  file: string,
  limits: Partial<ThickArchiveLimits> = {},
  extract?: string | ThickExtractOptions,
): Promise<ThickBundleContents> {
  return readArchive(file, limits, extract, false) as Promise<ThickBundleContents>;
}

/** What `digestThickBundle` reads: the archive's digest and length, and `bundle.json`. */
export type ThickBundleHead = Pick<ThickBundleContents, 'digest' | 'length' | 'bundleBytes'>;

/**
 * The digest of a thick bundle and its `bundle.json`, for `cnab-trust digest`: the archive is hashed to its last
 * byte, but inflated only until `bundle.json` has been read (the first entry of archives we write), so a 1 GiB
 * archive costs little more than hashing it. The entries after `bundle.json` are not checked:
 * whatever trusts the archive (`verify`, `import`, `sign`) reads it with `readThickBundle`, which checks them all.
 */
export async function digestThickBundle(file: string, limits: Partial<ThickArchiveLimits> = {}): Promise<ThickBundleHead> {
  return readArchive(file, limits, undefined, true);
}

async function readArchive(
  file: string,
  limits: Partial<ThickArchiveLimits>,
  extract: string | ThickExtractOptions | undefined,
  stopAfterBundle: boolean,
): Promise<ThickBundleContents | ThickBundleHead> {
  const extractOptions = typeof extract === 'string' ? { dir: extract } : extract;
  const extractTo = extractOptions?.dir;
  const select = extractOptions?.select ?? (() => true);
  const maxWrite = extractOptions?.maxBytes ?? Number.POSITIVE_INFINITY;
  let written = 0;
  const policy = new ThickArchivePolicy(file, { ...DEFAULT_THICK_ARCHIVE_LIMITS, ...limits });
  const hash = createHash('sha256');
  let length = 0;
  let failure: unknown;
  const gunzip = createGunzip();
  const fail = (e: unknown): void => {
    failure ??= e;
    // a paused gunzip (waiting for the parser to drain) would never drain after a failure: let it run dry
    gunzip.resume();
  };

  const bundleChunks: Buffer[] = [];
  /** Set once bundle.json has been read whole, when that is all the caller needs from the inflated stream. */
  let bundleRead = false;
  const writes: Promise<void>[] = [];
  const extractEntry = (entry: ReadEntry, root: string): boolean => {
    const name = normalizeEntryName(entry.path, file);
    if (!select(name)) return false;
    written += entry.type === 'Directory' ? 0 : entry.size;
    if (written > maxWrite) {
      throw new CnabTrustError('E_ARCHIVE_TOO_LARGE', `${file}: the entries to extract hold more than ${maxWrite} bytes`, { subject: file, details: { limit: maxWrite } });
    }
    const target = path.join(root, ...name.split('/'));
    if (entry.type === 'Directory') {
      mkdirSync(target, { recursive: true });
      entry.resume();
      return true;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    // 'wx': a second entry with the same name is refused, not silently overwriting the first
    const out = createWriteStream(target, { flags: 'wx', mode: 0o644 });
    writes.push(
      new Promise<void>((resolve) => {
        out.on('close', () => resolve());
        out.on('error', (e: NodeJS.ErrnoException) => {
          fail(
            e.code === 'EEXIST'
              ? new CnabTrustError('E_ARCHIVE_UNSAFE', `${file} holds ${JSON.stringify(name)} more than once`, { subject: file, details: { entry: name } })
              : fsError(e, target, 'write'),
          );
          entry.resume();
          resolve();
        });
      }),
    );
    entry.pipe(out);
    return true;
  };
  const parser = new Parser({
    strict: true,
    // We gunzip ourselves (a thick bundle is gzip by definition); the parser must not guess other codecs.
    brotli: false,
    zstd: false,
    maxMetaEntrySize: MAX_META_ENTRY_BYTES,
    onReadEntry: (entry: ReadEntry) => {
      if (failure !== undefined) {
        entry.resume();
        return;
      }
      try {
        const role = policy.admit({
          path: entry.path,
          type: entry.type,
          size: entry.size,
          ...(entry.linkpath === undefined ? {} : { linkpath: entry.linkpath }),
        });
        if (role === 'bundle') {
          entry.on('data', (c: Buffer) => bundleChunks.push(c));
          if (stopAfterBundle) entry.on('end', () => (bundleRead = true));
        }
        const extracted = extractTo !== undefined && extractEntry(entry, extractTo);
        if (!extracted && role !== 'bundle') entry.resume();
      } catch (e) {
        fail(e);
        entry.resume();
      }
    },
  });
  parser.on('error', (e: Error) => fail(invalid(file, `not a valid tar archive: ${e.message}`, e)));
  // Settles when the parser is through: normally 'close'; after an error it may stop early.
  const parserDone = new Promise<void>((resolve) => {
    parser.on('close', () => resolve());
    parser.on('error', () => resolve());
    parser.on('abort', () => resolve());
  });

  let decompressed = 0;
  gunzip.on('data', (chunk: Buffer) => {
    if (failure !== undefined) return;
    decompressed += chunk.length;
    if (policy.expandsTooMuch(decompressed, length)) {
      fail(
        new CnabTrustError('E_ARCHIVE_TOO_LARGE', `${file} expands more than ${policy.maxExpansionRatio} times (${decompressed} bytes from ${length} of gzip): a gzip bomb`, {
          subject: file,
          hint: 'do not import or install this archive',
        }),
      );
      return;
    }
    if (decompressed > policy.maxDecompressedBytes) {
      fail(
        new CnabTrustError('E_ARCHIVE_TOO_LARGE', `${file} decompresses to more than ${policy.maxDecompressedBytes} bytes`, {
          subject: file,
        }),
      );
      return;
    }
    // backpressure: an entry being written to disk slower than gunzip produces. Ignoring it buffered the archive
    // in memory and left one 'drain' listener on the entry per chunk (MaxListenersExceededWarning)
    if (!parser.write(chunk)) {
      gunzip.pause();
      parser.once('drain', () => gunzip.resume());
    }
  });
  gunzip.on('error', (e: Error) => fail(invalid(file, `not a valid gzip stream: ${e.message}`, e)));
  const gunzipEnded = once(gunzip, 'end').then(
    () => undefined,
    () => undefined,
  );

  try {
    const stream = createReadStream(file, { highWaterMark: 1024 * 1024 });
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      if (length === 0 && !(buf[0] === GZIP_MAGIC[0] && buf[1] === GZIP_MAGIC[1])) {
        stream.destroy();
        throw invalid(file, 'not a gzip-compressed tar archive (CNAB 104 thick bundles are .tgz)');
      }
      hash.update(buf);
      length += buf.length;
      if (failure !== undefined) {
        stream.destroy();
        break;
      }
      if (bundleRead) continue; // only hashing from here on
      if (!gunzip.write(buf)) await drained(gunzip);
    }
  } catch (e) {
    gunzip.destroy();
    throw fsError(e, file);
  }
  if (length === 0) throw invalid(file, 'the file is empty, not a gzip-compressed tar archive');
  if (bundleRead && failure === undefined) {
    gunzip.destroy();
    return { digest: `sha256:${hash.digest('hex')}`, length, bundleBytes: Buffer.concat(bundleChunks) };
  }
  if (failure === undefined) {
    gunzip.end();
    await gunzipEnded;
    if (failure === undefined) {
      parser.end();
      await parserDone;
    }
  } else {
    gunzip.destroy();
  }
  await Promise.all(writes);
  if (failure !== undefined) throw failure;
  const { entries, layoutEntries } = policy.finish();
  return {
    digest: `sha256:${hash.digest('hex')}`,
    length,
    bundleBytes: Buffer.concat(bundleChunks),
    entries,
    layoutEntries,
  };
}

/**
 * Wait until `stream` drains, errs or closes, leaving no listener behind (racing `once(s, 'drain')` with
 * `once(s, 'error')` left an 'error' listener per wait: MaxListenersExceededWarning on big archives).
 */
function drained(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}

function invalid(file: string, what: string, cause?: unknown): CnabTrustError {
  return new CnabTrustError('E_ARCHIVE_INVALID', `${file}: ${what}`, { subject: file, ...(cause === undefined ? {} : { cause }) });
}
