/**
 * What a thick bundle archive (CNAB 104: a gzipped tar holding `bundle.json` and `artifacts/layout/`, an OCI
 * image layout) may contain, decided entry by entry as the archive streams past. Pure policy: the adapter
 * (adapters/archive) does the reading and asks `ThickArchivePolicy.admit()` about every entry header.
 *
 * Refused (E_ARCHIVE_UNSAFE): absolute names, `..` segments, symbolic and hard links, devices and FIFOs,
 * a second `bundle.json`. Refused (E_ARCHIVE_TOO_LARGE): more entries, a larger entry, or more bytes in
 * total than the limits; a `bundle.json` larger than its own limit.
 */
import { CnabTrustError } from '../errors.js';

export interface ThickArchiveLimits {
  /** Most entries (files, directories) accepted. Default 100,000. */
  maxEntries: number;
  /** Largest single entry, in bytes. Default 16 GiB. */
  maxEntryBytes: number;
  /** Most bytes of entry content in total (uncompressed). Default 16 GiB. */
  maxTotalBytes: number;
  /** Largest `bundle.json`, in bytes. Default 8 MiB. */
  maxBundleBytes: number;
  /**
   * Most bytes the tar stream may expand to per byte of gzip read so far, once past `expansionSlackBytes`
   * (a gzip bomb expands ~1000:1; image layers are compressed already and expand ~1:1). Default 100.
   */
  maxExpansionRatio: number;
  /** Decompressed bytes always allowed before the ratio applies. Default 64 MiB. */
  expansionSlackBytes: number;
}

export const DEFAULT_THICK_ARCHIVE_LIMITS: Readonly<ThickArchiveLimits> = Object.freeze({
  maxEntries: 100_000,
  maxEntryBytes: 16 * 1024 ** 3,
  maxTotalBytes: 16 * 1024 ** 3,
  maxBundleBytes: 8 * 1024 * 1024,
  maxExpansionRatio: 100,
  expansionSlackBytes: 64 * 1024 * 1024,
});

/** Largest pax / GNU long-name header accepted by the reader (names and attributes, not content). */
export const MAX_META_ENTRY_BYTES = 8 * 1024;

/** The name of the bundle descriptor at the archive root (CNAB 104). */
export const THICK_BUNDLE_JSON = 'bundle.json';
/** The OCI image layout of the bundle's images inside the archive (CNAB 104). */
export const THICK_LAYOUT_DIR = 'artifacts/layout';

/** An entry header as a tar reader reports it (names after pax/GNU long-name processing). */
export interface ArchiveEntryHeader {
  path: string;
  /** tar entry type name: File, OldFile, ContiguousFile, Directory, SymbolicLink, Link, ... */
  type: string;
  size: number;
  linkpath?: string;
}

/** What to do with an admitted entry. */
export type EntryRole = 'bundle' | 'layout' | 'other';

const REGULAR = new Set(['File', 'OldFile', 'ContiguousFile']);

/**
 * Normalize an entry name (`./a//b/` -> `a/b`), refusing absolute names and `..` segments.
 * Backslashes count as separators too, so an archive cannot smuggle `..\` past a Windows extractor.
 */
export function normalizeEntryName(name: string, archive: string): string {
  const unsafe = (why: string): CnabTrustError =>
    new CnabTrustError('E_ARCHIVE_UNSAFE', `archive entry ${JSON.stringify(name)} in ${archive} ${why}`, {
      subject: archive,
      hint: 'a thick bundle must only hold relative paths inside the archive root',
      details: { entry: name },
    });
  if (name.includes('\0')) throw unsafe('contains a NUL character');
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) throw unsafe('is an absolute path');
  const segments = name.split(/[/\\]/).filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw unsafe("has a '..' segment (it would escape the archive root)");
  return segments.join('/');
}

/** Stateful per-archive policy: feed it every entry header in order. */
export class ThickArchivePolicy {
  private entries = 0;
  private total = 0;
  private sawBundle = false;
  private layoutEntries = 0;

  constructor(
    private readonly archive: string,
    private readonly limits: ThickArchiveLimits = DEFAULT_THICK_ARCHIVE_LIMITS,
  ) {}

  /** Check one entry; returns its role or throws E_ARCHIVE_UNSAFE / E_ARCHIVE_TOO_LARGE / E_ARCHIVE_INVALID. */
  admit(header: ArchiveEntryHeader): EntryRole {
    const { archive, limits } = this;
    if (++this.entries > limits.maxEntries) {
      throw this.tooLarge(`${archive} has more than ${limits.maxEntries} entries`, { limit: limits.maxEntries });
    }
    const name = normalizeEntryName(header.path, archive);
    const isBundle = name === THICK_BUNDLE_JSON;
    if (header.type === 'SymbolicLink' || header.type === 'Link') {
      const kind = header.type === 'Link' ? 'hard link' : 'symbolic link';
      throw new CnabTrustError(
        'E_ARCHIVE_UNSAFE',
        isBundle
          ? `${THICK_BUNDLE_JSON} in ${archive} is a ${kind} (to ${JSON.stringify(header.linkpath ?? '')}), not a regular file`
          : `archive entry ${JSON.stringify(header.path)} in ${archive} is a ${kind} (to ${JSON.stringify(header.linkpath ?? '')}); thick bundles may not hold links`,
        { subject: archive, details: { entry: header.path, type: header.type, linkpath: header.linkpath } },
      );
    }
    if (header.type === 'Directory') {
      if (isBundle) throw this.invalid(`${THICK_BUNDLE_JSON} in ${archive} is a directory`);
      return name.startsWith(THICK_LAYOUT_DIR) ? this.layout() : 'other';
    }
    if (!REGULAR.has(header.type)) {
      throw new CnabTrustError(
        'E_ARCHIVE_UNSAFE',
        `archive entry ${JSON.stringify(header.path)} in ${archive} has type ${header.type}; only regular files and directories are allowed`,
        { subject: archive, details: { entry: header.path, type: header.type } },
      );
    }
    if (header.size > limits.maxEntryBytes) {
      throw this.tooLarge(`archive entry ${JSON.stringify(header.path)} in ${archive} is ${header.size} bytes, more than the limit of ${limits.maxEntryBytes}`, {
        entry: header.path,
        limit: limits.maxEntryBytes,
      });
    }
    this.total += header.size;
    if (this.total > limits.maxTotalBytes) {
      throw this.tooLarge(`${archive} holds more than ${limits.maxTotalBytes} bytes of content`, { limit: limits.maxTotalBytes });
    }
    if (isBundle) {
      // Two bundle.json entries: extractors keep the last, readers may take the first: refuse (CNAB 104).
      if (this.sawBundle) {
        throw new CnabTrustError('E_ARCHIVE_UNSAFE', `${archive} holds ${THICK_BUNDLE_JSON} more than once`, {
          subject: archive,
          details: { entry: header.path },
        });
      }
      if (header.size > limits.maxBundleBytes) {
        throw this.tooLarge(`${THICK_BUNDLE_JSON} in ${archive} is ${header.size} bytes, more than the limit of ${limits.maxBundleBytes}`, {
          limit: limits.maxBundleBytes,
        });
      }
      this.sawBundle = true;
      return 'bundle';
    }
    return name === THICK_LAYOUT_DIR || name.startsWith(`${THICK_LAYOUT_DIR}/`) ? this.layout() : 'other';
  }

  /** After the last entry: the archive must have held a bundle.json. */
  finish(): { entries: number; layoutEntries: number } {
    if (!this.sawBundle) throw this.invalid(`${this.archive} holds no ${THICK_BUNDLE_JSON} at its root (CNAB 104)`);
    return { entries: this.entries, layoutEntries: this.layoutEntries };
  }

  /**
   * Bound on the whole decompressed stream (stops gzip bombs even in bytes no entry claims): entry contents plus,
   * per entry, room for its header, padding and a long-name/pax header of up to `MAX_META_ENTRY_BYTES`.
   */
  get maxDecompressedBytes(): number {
    return this.limits.maxTotalBytes + (this.limits.maxEntries + 2) * (MAX_META_ENTRY_BYTES + 2048);
  }

  /** Whether `decompressed` bytes out of `compressed` bytes of gzip read so far is past the expansion bound. */
  expandsTooMuch(decompressed: number, compressed: number): boolean {
    return decompressed > this.limits.expansionSlackBytes && decompressed > compressed * this.limits.maxExpansionRatio;
  }

  get maxExpansionRatio(): number {
    return this.limits.maxExpansionRatio;
  }

  private layout(): EntryRole {
    this.layoutEntries++;
    return 'layout';
  }

  private tooLarge(message: string, details: Record<string, unknown>): CnabTrustError {
    return new CnabTrustError('E_ARCHIVE_TOO_LARGE', message, { subject: this.archive, details });
  }

  private invalid(message: string): CnabTrustError {
    return new CnabTrustError('E_ARCHIVE_INVALID', message, { subject: this.archive });
  }
}
