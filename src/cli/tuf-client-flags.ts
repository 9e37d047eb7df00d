/**
 * Flags of every command that reads a TUF repository as a client (`tuf get`, `verify`), the check they share, and
 * turning them into the workflows' options. What differs between the commands stays in the command: the
 * description of `--metadata` (an exported .tgz carries its own) and the checks only one command makes.
 */
import type { Argv } from 'yargs';
import { parseNow } from './clock.js';

export interface TufClientFlags {
  'trusted-root'?: string;
  metadata?: string;
  'targets-url'?: string;
  cache?: string;
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

export function withTufClientFlags<T>(y: Argv<T>, describe: { metadata: string }): Argv<T & TufClientFlags> {
  return y
    .option('trusted-root', { type: 'string', describe: 'root.json you trust (obtained out of band)' })
    .option('metadata', { type: 'string', describe: describe.metadata })
    .option('targets-url', { type: 'string', describe: 'target files: URL or directory (default <metadata>/targets)' })
    .option('cache', { type: 'string', describe: 'directory keeping trusted TUF metadata between runs (rollback protection)' })
    .option('now', { type: 'string', describe: 'check expiry at this ISO 8601 time instead of the clock' })
    .option('map', { type: 'string', describe: 'TAP 4 map file: resolve the target across several repositories (with --trusted-roots)' })
    .option('trusted-roots', { type: 'string', describe: 'with --map: directory holding <repository>.root.json per repository' })
    .group(['trusted-root', 'metadata', 'targets-url', 'cache', 'now', 'map', 'trusted-roots'], 'TUF client:')
    .check((a) => {
      // a client starts from a root it trusts (TUF client workflow 5.2): given, kept in the cache, or one per repository of the map
      if (a.map !== undefined) {
        if (a['trusted-roots'] === undefined) throw new Error('--map needs --trusted-roots DIR');
      } else if (a['trusted-root'] === undefined && a.cache === undefined) {
        throw new Error('give --trusted-root root.json');
      }
      return true;
    }) as Argv<T & TufClientFlags>;
}

export function tufClientOptions(flags: TufClientFlags): TufClientFlagOptions {
  return {
    ...(flags['trusted-root'] === undefined ? {} : { trustedRootPath: flags['trusted-root'] }),
    ...(flags.metadata === undefined ? {} : { metadata: flags.metadata }),
    ...(flags['targets-url'] === undefined ? {} : { targets: flags['targets-url'] }),
    ...(flags.cache === undefined ? {} : { cacheDir: flags.cache }),
    ...(flags.now === undefined ? {} : { now: parseNow(flags.now) }),
    ...(flags.map === undefined ? {} : { map: flags.map }),
    ...(flags['trusted-roots'] === undefined ? {} : { trustedRootsDir: flags['trusted-roots'] }),
  };
}
