/**
 * An artifact dictionary (`{path: {algorithm: hexdigest}}` of a link's materials or products) as the rule
 * engine reads it: paths in order, their hashes by index (packed when they are SHA-256 only), and a path index
 * built only when asked.
 *
 * Why not the dictionary itself: a link of 20,000 artifacts parsed into objects costs 20,000 hash dictionaries
 * plus a 20,000-key object (allocation and garbage collection dominate a one-shot verify), and every rule then
 * walks `Object.keys`. A table is what the fast link reader (`link-scanner.ts`) builds directly from the file's
 * bytes; a dictionary from anywhere else (the general parser, an inspection's link) is turned into one here.
 */
import type { ArtifactDict, HashDict, LinkModel } from './metadata.js';

/** The hashes of a table's entries, by index. */
export interface HashList {
  /** Entry i's hashes as a dictionary `{algorithm: hexdigest}`. */
  dict(i: number): HashDict;
  /** Python dict equality of entry i's hashes and entry j of `other`. */
  same(i: number, other: HashList, j: number): boolean;
}

function sameDicts(a: HashDict, b: HashDict): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/** Hashes kept as the dictionaries they came in. */
export class DictHashes implements HashList {
  constructor(readonly dicts: readonly HashDict[]) {}

  dict(i: number): HashDict {
    return this.dicts[i]!;
  }

  same(i: number, other: HashList, j: number): boolean {
    return sameDicts(this.dicts[i]!, other.dict(j));
  }
}

const HEX_DIGITS = '0123456789abcdef';

/**
 * Hashes that are each exactly `{"sha256": <64 lowercase hex digits>}` (what in-toto records), packed as eight
 * 32-bit words per entry: two entries compare in eight integer comparisons, where comparing 20,000 pairs of
 * 64-character substrings costs several milliseconds in a one-shot process.
 */
export class Sha256Words implements HashList {
  /** @param words entry i's digest is words[8i .. 8i+8), most significant nibble first */
  constructor(readonly words: Int32Array) {}

  hex(i: number): string {
    let h = '';
    for (let k = 8 * i; k < 8 * i + 8; k++) {
      const w = this.words[k]!;
      for (let shift = 28; shift >= 0; shift -= 4) h += HEX_DIGITS[(w >>> shift) & 15];
    }
    return h;
  }

  dict(i: number): HashDict {
    return { sha256: this.hex(i) };
  }

  same(i: number, other: HashList, j: number): boolean {
    if (!(other instanceof Sha256Words)) return sameDicts(this.dict(i), other.dict(j));
    const a = this.words;
    const b = other.words;
    for (let k = 0; k < 8; k++) if (a[8 * i + k] !== b[8 * j + k]) return false;
    return true;
  }
}

export class ArtifactTable {
  #index: Map<string, number> | undefined;

  /**
   * @param paths artifact paths, in file order
   * @param hashes the hashes of entry i at index i
   * @param sorted the paths are in strictly increasing order (JavaScript string order): looked up by bisection
   */
  constructor(
    readonly paths: readonly string[],
    readonly hashes: HashList,
    readonly sorted: boolean,
  ) {}

  static fromDict(d: ArtifactDict): ArtifactTable {
    const paths = Object.keys(d);
    const dicts: HashDict[] = new Array(paths.length);
    let sorted = true;
    for (let i = 0; i < paths.length; i++) {
      if (i > 0 && !(paths[i - 1]! < paths[i]!)) sorted = false;
      dicts[i] = d[paths[i]!]!;
    }
    return new ArtifactTable(paths, new DictHashes(dicts), sorted);
  }

  static readonly EMPTY = new ArtifactTable([], new DictHashes([]), true);

  get size(): number {
    return this.paths.length;
  }

  /** Index of `path`, or -1. `hint` is tried first (rules walk two path lists that are usually in step). */
  indexOf(path: string, hint = -1): number {
    const { paths } = this;
    if (paths.length === 0) return -1;
    if (hint >= 0 && hint < paths.length && paths[hint] === path) return hint;
    if (this.sorted) {
      let lo = 0;
      let hi = paths.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const p = paths[mid]!;
        if (p === path) return mid;
        if (p < path) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    }
    if (this.#index === undefined) {
      this.#index = new Map();
      for (let i = 0; i < paths.length; i++) this.#index.set(paths[i]!, i);
    }
    return this.#index.get(path) ?? -1;
  }

  has(path: string): boolean {
    return this.indexOf(path) >= 0;
  }

  /** Python dict equality of entry i's hashes and entry j of `other`. */
  sameHashes(i: number, other: ArtifactTable, j: number): boolean {
    return this.hashes.same(i, other.hashes, j);
  }

  /** Python dict equality of two whole artifact dictionaries (the threshold check). */
  equals(other: ArtifactTable): boolean {
    if (other === this) return true;
    if (other.size !== this.size) return false;
    for (let i = 0; i < this.paths.length; i++) {
      const j = other.indexOf(this.paths[i]!, i);
      if (j < 0 || !this.sameHashes(i, other, j)) return false;
    }
    return true;
  }

  toDict(): ArtifactDict {
    const d: ArtifactDict = {};
    for (let i = 0; i < this.paths.length; i++) d[this.paths[i]!] = this.hashes.dict(i);
    return d;
  }
}

const tables = new WeakMap<object, ArtifactTable>();

/** The table of a dictionary, built once per dictionary object (so a dictionary is read once: edit a copy, not it). */
export function artifactTable(d: ArtifactDict): ArtifactTable {
  let t = tables.get(d);
  if (t === undefined) {
    t = ArtifactTable.fromDict(d);
    tables.set(d, t);
  }
  return t;
}

const linkTables = new WeakMap<LinkModel, { materials: ArtifactTable; products: ArtifactTable }>();

/**
 * A link whose artifacts exist as tables only: `materials` and `products` are built as dictionaries the first
 * time anything reads them (a summary link, a report), never on the verify path itself.
 */
export function linkWithTables(
  fields: Omit<LinkModel, 'materials' | 'products'>,
  materials: ArtifactTable,
  products: ArtifactTable,
): LinkModel {
  const link = { ...fields } as LinkModel;
  for (const [key, table] of [
    ['materials', materials],
    ['products', products],
  ] as const) {
    let dict: ArtifactDict | undefined;
    Object.defineProperty(link, key, {
      enumerable: true,
      configurable: true,
      get: () => {
        if (dict === undefined) {
          dict = table.toDict();
          tables.set(dict, table);
        }
        return dict;
      },
      set: (v: ArtifactDict) => {
        Object.defineProperty(link, key, { value: v, enumerable: true, writable: true, configurable: true });
        linkTables.delete(link);
      },
    });
  }
  linkTables.set(link, { materials, products });
  return link;
}

/** The materials or products of a link as a table. */
export function linkArtifacts(link: LinkModel, which: 'materials' | 'products'): ArtifactTable {
  const t = linkTables.get(link);
  if (t !== undefined) return t[which];
  return artifactTable(link[which]);
}
