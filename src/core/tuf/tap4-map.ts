/**
 * TAP 4 (multiple repository consensus on entrusted targets), the pure part: the map file model and the
 * consensus decision. CNAB-Sec 303 asks runtimes to resolve a bundle across several repositories with different
 * roots; the workflow (adapters/tuf/map-client.ts) fetches, this module decides.
 *
 * Map file (TAP 4 "Example using the Reference Implementation's Map File"):
 *   { "repositories": { "<name>": ["<url or dir>", ...mirrors] },
 *     "mapping": [ { "paths": ["<glob>"], "repositories": ["<name>", ...], "threshold": 1, "terminating": false } ] }
 *
 * Search (TAP 4 "Searching for Files on Multiple Repositories"):
 *  1. consider the mappings in order, only those whose `paths` match the target (glob patterns as the TAP 4
 *     reference implementation matched them: Python fnmatch, `*` matches across `/`, so `"*"` is a catch-all);
 *  2. the target's length and hashes must match across `threshold` of the mapping's repositories (custom exempt);
 *  3. if so, that is the trusted target;
 *  4. otherwise, 4.1 a terminating mapping ends the search with a failure, 4.2 a non-terminating one moves on.
 */
import { fnmatch } from '../intoto/fnmatch.js';
import { CnabTrustError } from '../errors.js';

export interface RepositoryMapping {
  paths: string[];
  repositories: string[];
  threshold: number;
  terminating: boolean;
}

export interface MapFile {
  /** Repository name -> locations (mirrors of one repository), tried in order. */
  repositories: Record<string, string[]>;
  mapping: RepositoryMapping[];
}

/** Repository names become file and directory names (`<name>.root.json`, cache `<name>/`). */
const REPOSITORY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Validate a parsed map file; every fault names its JSON path. */
export function parseMapFile(value: unknown, source = 'map file'): MapFile {
  const fail = (where: string, what: string): never => {
    throw new CnabTrustError('E_TUF_MAP_INVALID', `${source}: ${where} ${what}`, { subject: source, details: { path: where } });
  };
  if (!isObject(value)) return fail('$', 'must be an object with "repositories" and "mapping"');
  const repositories: Record<string, string[]> = {};
  if (!isObject(value.repositories)) return fail('$.repositories', 'must be an object');
  for (const [name, urls] of Object.entries(value.repositories)) {
    if (!REPOSITORY_NAME.test(name)) fail(`$.repositories.${name}`, 'is not a valid repository name (letters, digits, . _ -)');
    if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string' && u.length > 0)) {
      fail(`$.repositories.${name}`, 'must be a non-empty list of URLs or directories');
    }
    repositories[name] = [...(urls as string[])];
  }
  if (Object.keys(repositories).length === 0) fail('$.repositories', 'names no repository');
  if (!Array.isArray(value.mapping) || value.mapping.length === 0) return fail('$.mapping', 'must be a non-empty list');
  const mapping = value.mapping.map((m: unknown, i: number): RepositoryMapping => {
    const at = `$.mapping[${i}]`;
    if (!isObject(m)) return fail(at, 'must be an object');
    if (!Array.isArray(m.paths) || m.paths.length === 0 || !m.paths.every((p) => typeof p === 'string')) {
      fail(`${at}.paths`, 'must be a non-empty list of patterns');
    }
    if (!Array.isArray(m.repositories) || m.repositories.length === 0) fail(`${at}.repositories`, 'must be a non-empty list');
    const names = m.repositories as unknown[];
    for (const r of names) {
      if (typeof r !== 'string' || !(r in repositories)) fail(`${at}.repositories`, `names an unknown repository ${JSON.stringify(r)}`);
    }
    if (new Set(names).size !== names.length) fail(`${at}.repositories`, 'lists a repository twice');
    const threshold = m.threshold === undefined ? 1 : m.threshold;
    if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1 || threshold > names.length) {
      fail(`${at}.threshold`, `must be an integer from 1 to ${names.length}`);
    }
    const terminating = m.terminating === undefined ? false : m.terminating;
    if (typeof terminating !== 'boolean') fail(`${at}.terminating`, 'must be true or false');
    return { paths: [...(m.paths as string[])], repositories: names as string[], threshold: threshold as number, terminating: terminating as boolean };
  });
  return { repositories, mapping };
}

/** TAP 4 step 1: the mappings whose paths match the target, in priority order, with their index. */
export function mappingsFor(map: MapFile, target: string): Array<{ index: number; mapping: RepositoryMapping }> {
  return map.mapping
    .map((mapping, index) => ({ index, mapping }))
    .filter(({ mapping }) => pathsMatch(mapping.paths, target));
}

/** Python fnmatch semantics (`*` crosses `/`), as the TAP 4 reference implementation matched map paths. */
function pathsMatch(paths: string[], target: string): boolean {
  return paths.some((pattern) => fnmatch(target, pattern));
}

/** What one repository said about the target. */
export type RepositoryAnswer<T extends SignedTargetInfo> =
  | { repository: string; kind: 'found'; target: T }
  | { repository: string; kind: 'not-found' }
  | { repository: string; kind: 'failed'; error: CnabTrustError };

export interface SignedTargetInfo {
  length: number;
  hashes: Record<string, string>;
}

export type Consensus<T extends SignedTargetInfo> =
  | { agreed: true; target: T; repositories: string[] }
  | { agreed: false; reason: 'disagree' | 'unsigned'; groups: string[][] };

/**
 * TAP 4 step 2: do `threshold` repositories sign the same length and hashes? (custom metadata is exempt).
 * Two signings agree when their lengths are equal and they share at least one hash algorithm, with equal
 * values for every algorithm they share.
 */
export function decideConsensus<T extends SignedTargetInfo>(answers: RepositoryAnswer<T>[], threshold: number): Consensus<T> {
  const found = answers.filter((a): a is Extract<RepositoryAnswer<T>, { kind: 'found' }> => a.kind === 'found');
  const groups: Array<{ target: T; repositories: string[] }> = [];
  for (const a of found) {
    const group = groups.find((g) => sameSignedFile(g.target, a.target));
    if (group) group.repositories.push(a.repository);
    else groups.push({ target: a.target, repositories: [a.repository] });
  }
  const winner = groups.find((g) => g.repositories.length >= threshold);
  if (winner) return { agreed: true, target: winner.target, repositories: winner.repositories };
  return { agreed: false, reason: groups.length > 1 ? 'disagree' : 'unsigned', groups: groups.map((g) => g.repositories) };
}

export function sameSignedFile(a: SignedTargetInfo, b: SignedTargetInfo): boolean {
  if (a.length !== b.length) return false;
  const shared = Object.keys(a.hashes).filter((alg) => alg in b.hashes);
  return shared.length > 0 && shared.every((alg) => a.hashes[alg]!.toLowerCase() === b.hashes[alg]!.toLowerCase());
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
