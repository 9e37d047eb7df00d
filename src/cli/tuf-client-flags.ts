/**
 * Flags of every command that reads a TUF repository as a client (`tuf get`, `verify`), the check they share, and
 * turning them into the workflows' options. What differs between the commands stays in the command: the
 * description of `--metadata` (an exported .tgz carries its own) and the checks only one command makes.
 */
import type { Argv } from 'yargs';
import path from 'node:path';
import { parseNow } from './clock.js';

export interface TufClientFlags {
  'trusted-root'?: string;
  metadata?: string;
  'targets-url'?: string;
  /** A directory, or `false` from `--no-cache`. */
  cache?: string | false;
  now?: string;
  map?: string;
  'trusted-roots'?: string;
}

/** The flags as workflow options (the names of `VerifyBundleOptions` and `TufGetOptions`). */
export interface TufClientFlagOptions {
  trustedRootPath?: string;
  metadata?: string;
  targets?: string;
  cacheDir?: string;
  now?: () => Date;
  map?: string;
  trustedRootsDir?: string;
}

/** Environment variables that stand for a flag every verification needs, in the style of CNAB_TRUST_PASSPHRASE. */
export const TUF_CLIENT_ENV = { 'trusted-root': 'CNAB_TRUST_TRUSTED_ROOT', metadata: 'CNAB_TRUST_METADATA' } as const;

/**
 * A flag given on the command line wins; else its environment variable, when set and not empty. Not with --map,
 * which names its repositories and their roots itself.
 */
export function applyTufClientEnv(args: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): void {
  if (args['map'] !== undefined) return;
  for (const [flag, name] of Object.entries(TUF_CLIENT_ENV)) {
    const value = env[name];
    if (args[flag] === undefined && value !== undefined && value !== '') {
      args[flag] = value;
      // yargs' camelCase copy, so that both spellings agree
      args[flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
    }
  }
}

export function withTufClientFlags<T>(y: Argv<T>, describe: { metadata: string }): Argv<T & TufClientFlags> {
  return y
    .option('trusted-root', { type: 'string', describe: `root.json you trust (obtained out of band); env ${TUF_CLIENT_ENV['trusted-root']}` })
    .option('metadata', { type: 'string', describe: `${describe.metadata}; env ${TUF_CLIENT_ENV.metadata}` })
    // before validation, so that the check below sees a root given through the environment
    .middleware((a) => applyTufClientEnv(a as Record<string, unknown>), true)
    .option('targets-url', { type: 'string', describe: 'target files: URL or directory (default <metadata>/targets)' })
    .option('cache', {
      type: 'string',
      describe:
        'directory keeping trusted TUF metadata between runs (rollback protection); default $XDG_CACHE_HOME/cnab-trust/tuf/<repository>; --no-cache: a fresh temporary one (one-shot, no rollback protection across runs)',
    })
    .option('now', { type: 'string', describe: 'check expiry at this ISO 8601 time instead of the clock' })
    .option('map', { type: 'string', describe: 'TAP 4 map file: resolve the target across several repositories (with --trusted-roots)' })
    .option('trusted-roots', { type: 'string', describe: 'with --map: directory holding <repository>.root.json per repository' })
    .group(['trusted-root', 'metadata', 'targets-url', 'cache', 'now', 'map', 'trusted-roots'], 'TUF client:')
    .check((a) => {
      // a client starts from a root it trusts (TUF client workflow 5.2): given, kept in the cache, or one per repository of the map
      if (a.map !== undefined) {
        if (a['trusted-roots'] === undefined) throw new Error('--map needs --trusted-roots DIR');
      } else if (a['trusted-root'] === undefined && (a.cache === undefined || (a.cache as unknown) === false)) {
        throw new Error('give --trusted-root root.json');
      }
      return true;
    }) as Argv<T & TufClientFlags>;
}

/**
 * The flags as workflow options. The trusted-metadata cache is persistent by default (issue 11 item 10):
 * `--cache DIR`, else `$XDG_CACHE_HOME/cnab-trust/tuf/<repository>` (per repository location and bootstrap root;
 * with `--map`, per map file), unless `--no-cache` or there is no repository to name (an exported archive's own
 * metadata: a fresh temporary cache).
 */
export async function tufClientOptions(flags: TufClientFlags): Promise<TufClientFlagOptions> {
  let cacheDir: string | undefined;
  if (typeof flags.cache === 'string') cacheDir = flags.cache;
  else if (flags.cache === undefined) {
    const { defaultCacheDir } = await import('../adapters/tuf/metadata-cache.js');
    if (flags.map !== undefined && flags['trusted-roots'] !== undefined) {
      cacheDir = defaultCacheDir(flags.map, Buffer.from(path.resolve(flags['trusted-roots'])));
    } else if (flags.metadata !== undefined && flags['trusted-root'] !== undefined) {
      const { readFileBounded } = await import('../adapters/fs/index.js');
      cacheDir = defaultCacheDir(flags.metadata, await readFileBounded(flags['trusted-root'], { maxBytes: 512_000, what: 'trusted root' }));
    }
  }
  return {
    ...(flags['trusted-root'] === undefined ? {} : { trustedRootPath: flags['trusted-root'] }),
    ...(flags.metadata === undefined ? {} : { metadata: flags.metadata }),
    ...(flags['targets-url'] === undefined ? {} : { targets: flags['targets-url'] }),
    ...(cacheDir === undefined ? {} : { cacheDir }),
    ...(flags.now === undefined ? {} : { now: parseNow(flags.now) }),
    ...(flags.map === undefined ? {} : { map: flags.map }),
    ...(flags['trusted-roots'] === undefined ? {} : { trustedRootsDir: flags['trusted-roots'] }),
  };
}
