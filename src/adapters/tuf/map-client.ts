/**
 * TAP 4 resolution of a target across several TUF repositories with different roots (CNAB-Sec 303: runtimes
 * must be able to require that several repositories sign a bundle). The map file says which repositories are
 * asked for which target names and how many must agree; each repository is verified on its own (full TUF client
 * workflow, its own trusted root and cache); core/tuf/tap4-map.ts decides.
 *
 * Trusted roots: `<trustedRootsDir>/<name>.root.json` per repository name of the map file.
 * Cache: `<cacheDir>/<name>/` per repository (TAP 4: metadata of each repository kept apart).
 */
import path from 'node:path';
import { CnabTrustError, isCnabTrustError } from '../../core/errors.js';
import { targetFileName } from '../../core/tuf/naming.js';
import { decideConsensus, mappingsFor, parseMapFile, type MapFile, type RepositoryAnswer } from '../../core/tuf/tap4-map.js';
import { readFileBounded, readJsonFile } from '../fs/index.js';
import { TufClient, type TufClientOptions, type TrustedTarget } from './tuf-client.js';

export interface MappedGetOptions extends Pick<TufClientOptions, 'now' | 'limits' | 'http'> {
  /** The map file (path), or `map` already parsed. */
  mapPath?: string;
  map?: MapFile;
  /** Directory holding `<name>.root.json` for every repository of the map. */
  trustedRootsDir: string;
  /** Directory keeping trusted metadata per repository between runs. */
  cacheDir?: string;
}

export interface MappedTarget {
  target: TrustedTarget;
  /** The repositories that signed the same length and hashes (at least the threshold). */
  repositories: string[];
  /** Index of the mapping in the map file that decided. */
  mapping: number;
  /** Where the target file can be fetched: the first agreeing repository's location. */
  location: string;
}

/** What each repository said, for reports. */
interface Outcome {
  repository: string;
  result: 'found' | 'not-found' | 'failed';
  code?: string;
  message?: string;
  location?: string;
}

export async function loadMapFile(file: string): Promise<MapFile> {
  return parseMapFile((await readJsonFile(file, { what: 'TAP 4 map file', maxBytes: 1024 * 1024 })).value, file);
}

/** TAP 4 search for `name`; throws E_TUF_CONSENSUS / E_TUF_TARGET_NOT_FOUND when no mapping yields agreement. */
export async function getMappedTarget(name: string, options: MappedGetOptions): Promise<MappedTarget> {
  const map = options.map ?? (await loadMapFile(requireMapPath(options)));
  const matching = mappingsFor(map, name);
  const report: Array<{ mapping: number; outcomes: Outcome[] }> = [];
  // TAP 4 step 1: matching mappings in priority order
  for (const { index, mapping } of matching) {
    const answers: RepositoryAnswer<TrustedTarget & { location: string }>[] = [];
    const outcomes: Outcome[] = [];
    report.push({ mapping: index, outcomes });
    // TAP 4 step 2: ask the repositories in order until a threshold agrees
    for (const repository of mapping.repositories) {
      const answer = await askRepository(repository, map.repositories[repository]!, name, options);
      answers.push(answer);
      outcomes.push(describe(answer));
      const consensus = decideConsensus(answers, mapping.threshold);
      if (consensus.agreed) {
        // TAP 4 step 3
        const { location, ...target } = consensus.target;
        return { target, repositories: consensus.repositories, mapping: index, location };
      }
    }
    // TAP 4 step 4.1: a terminating mapping ends the search
    if (mapping.terminating) throw noConsensus(name, answers, mapping.threshold, index, report);
    // TAP 4 step 4.2: otherwise the next matching mapping
  }
  if (matching.length === 0) {
    throw new CnabTrustError('E_TUF_TARGET_NOT_FOUND', `no mapping of the map file covers target ${name}`, {
      subject: name,
      hint: 'add a mapping whose paths match the target (TAP 4)',
    });
  }
  const last = report[report.length - 1]!;
  throw noConsensus(name, [], 1, last.mapping, report);
}

/**
 * Download the target file from the first agreeing repository into `directory`, verified against the signed
 * length and hashes (which the agreeing repositories share).
 */
export async function downloadMappedTarget(
  name: string,
  options: MappedGetOptions & { directory?: string },
): Promise<MappedTarget & { path?: string; bytes?: Buffer }> {
  const found = await getMappedTarget(name, options);
  const client = await openAgreeingRepository(found, options);
  try {
    if (options.directory === undefined) return { ...found, bytes: (await client.readTarget(name)).bytes };
    return { ...found, path: (await client.downloadTarget(name, path.join(options.directory, targetFileName(name)))).path };
  } finally {
    await client.close();
  }
}

/**
 * A refreshed client of the first repository that agreed on a mapped target (where its file, and any target
 * that must come from the same repository, such as in-toto metadata, is fetched). The caller closes it.
 */
export async function openAgreeingRepository(found: MappedTarget, options: MappedGetOptions): Promise<TufClient> {
  const repository = found.repositories[0]!;
  const client = await openRepository(repository, found.location, options, await readTrustedRoot(repository, options));
  try {
    await client.refresh();
    return client;
  } catch (e) {
    await client.close();
    throw e;
  }
}

/** One repository's verified answer; its mirrors are tried in order until one gives a verdict about the target. */
async function askRepository(
  repository: string,
  locations: string[],
  name: string,
  options: MappedGetOptions,
): Promise<RepositoryAnswer<TrustedTarget & { location: string }>> {
  const trustedRoot = await readTrustedRoot(repository, options);
  let failure: CnabTrustError | undefined;
  for (const location of locations) {
    let client: TufClient | undefined;
    try {
      client = await openRepository(repository, location, options, trustedRoot);
      await client.refresh();
      return { repository, kind: 'found', target: { ...(await client.getTarget(name)), location } };
    } catch (e) {
      if (!isCnabTrustError(e)) throw e;
      if (e.code === 'E_TUF_TARGET_NOT_FOUND') return { repository, kind: 'not-found' };
      failure = e; // TAP 4: try the next mirror
    } finally {
      await client?.close();
    }
  }
  return { repository, kind: 'failed', error: failure! };
}

function readTrustedRoot(repository: string, options: MappedGetOptions): Promise<Buffer> {
  const rootFile = path.join(options.trustedRootsDir, `${repository}.root.json`);
  return readFileBounded(rootFile, { what: `trusted root of repository ${repository}`, maxBytes: 512_000 });
}

async function openRepository(
  repository: string,
  location: string,
  options: MappedGetOptions,
  trustedRoot: Buffer,
): Promise<TufClient> {
  const cacheDir = options.cacheDir === undefined ? undefined : path.join(options.cacheDir, repository);
  return TufClient.open({
    trustedRoot,
    metadata: location,
    ...(cacheDir === undefined ? {} : { cacheDir }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.http === undefined ? {} : { http: options.http }),
  });
}

function noConsensus(
  name: string,
  answers: RepositoryAnswer<TrustedTarget>[],
  threshold: number,
  mapping: number,
  report: Array<{ mapping: number; outcomes: Outcome[] }>,
): CnabTrustError {
  const consensus = answers.length > 0 ? decideConsensus(answers, threshold) : undefined;
  const details = { target: name, mappings: report };
  // a single repository that failed verification: its own error is the most precise report
  if (answers.length === 1 && answers[0]!.kind === 'failed') return answers[0]!.error;
  if (consensus && !consensus.agreed && consensus.reason === 'disagree') {
    return new CnabTrustError(
      'E_TUF_CONSENSUS',
      `repositories disagree on target ${name}: ${consensus.groups.map((g) => g.join('+')).join(' vs ')} (threshold ${threshold})`,
      { subject: name, details, hint: 'the repositories sign different lengths or hashes for this target (TAP 4 step 2)' },
    );
  }
  const failed = answers.filter((a) => a.kind === 'failed');
  if (failed.length > 0) {
    return new CnabTrustError(
      'E_TUF_CONSENSUS',
      `fewer than ${threshold} repositories vouch for target ${name}; ${failed.map((f) => `${f.repository}: ${f.kind === 'failed' ? f.error.code : ''}`).join(', ')}`,
      { subject: name, details },
    );
  }
  const found = answers.filter((a) => a.kind === 'found').length;
  return new CnabTrustError(
    found > 0 ? 'E_TUF_CONSENSUS' : 'E_TUF_TARGET_NOT_FOUND',
    found > 0
      ? `only ${found} of the ${threshold} repositories the mapping requires sign target ${name}`
      : `no repository of mapping ${mapping} signs target ${name}`,
    { subject: name, details },
  );
}

function describe(answer: RepositoryAnswer<TrustedTarget & { location: string }>): Outcome {
  switch (answer.kind) {
    case 'found':
      return { repository: answer.repository, result: 'found', location: answer.target.location };
    case 'not-found':
      return { repository: answer.repository, result: 'not-found' };
    case 'failed':
      return { repository: answer.repository, result: 'failed', code: answer.error.code, message: answer.error.message };
  }
}

function requireMapPath(options: MappedGetOptions): string {
  if (options.mapPath === undefined) throw new CnabTrustError('E_USAGE', 'give a map file', { subject: 'map' });
  return options.mapPath;
}
