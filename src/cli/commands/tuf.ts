/**
 * `cnab-trust tuf get <gun>:<tag>`: the TUF client (verify side). Parses flags, calls the workflow, prints.
 */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';

interface GetArgs extends OutputFlags {
  target: string;
  'trusted-root'?: string;
  metadata?: string;
  cache?: string;
  'targets-url'?: string;
  download?: string;
  now?: string;
  map?: string;
  'trusted-roots'?: string;
}

const get: CommandModule<OutputFlags, GetArgs> = {
  command: 'get <target>',
  describe: 'print the target a TUF repository signed for <gun>:<tag> (TUF client workflow), optionally download it',
  builder: (y) =>
    (y as Argv<OutputFlags>)
      .positional('target', { type: 'string', demandOption: true, describe: 'target name, e.g. example.com/org/app:1.2.0' })
      .option('trusted-root', { type: 'string', describe: 'root.json you trust (out of band)' })
      .option('metadata', { type: 'string', describe: 'repository metadata: an http(s) URL or a directory' })
      .option('cache', { type: 'string', describe: 'directory keeping trusted metadata between runs (rollback protection)' })
      .option('targets-url', { type: 'string', describe: 'target files: URL or directory (default <metadata>/targets)' })
      .option('download', { type: 'string', describe: 'download the target file into this directory, verified' })
      .option('now', { type: 'string', describe: 'check expiry at this ISO 8601 time instead of the clock' })
      .option('map', { type: 'string', describe: 'TAP 4 map file: resolve the target across several repositories' })
      .option('trusted-roots', { type: 'string', describe: 'with --map: directory of <repository name>.root.json' })
      .check((a) => {
        if (a.map !== undefined) {
          if (a['trusted-roots'] === undefined) throw new Error('--map needs --trusted-roots DIR');
          if (a.metadata !== undefined || a['trusted-root'] !== undefined || a['targets-url'] !== undefined) {
            throw new Error('--map takes the repositories from the map file: drop --metadata, --trusted-root, --targets-url');
          }
          return true;
        }
        if (a.metadata === undefined) throw new Error('give --metadata <url|dir> (or --map map.json)');
        if (a['trusted-root'] === undefined && a.cache === undefined) throw new Error('give --trusted-root root.json');
        return true;
      })
      .example(
        '$0 tuf get example.com/org/app:1.2.0 --trusted-root root.json --metadata http://127.0.0.1:8080 --json',
        'print length, hashes and custom of the signed bundle',
      )
      .example('$0 tuf get example.com/org/app:1.2.0 --trusted-root root.json --metadata metadata/ --download out/', 'download it too')
      .example('$0 tuf get example.com/org/app:1.2.0 --map map.json --trusted-roots roots/', 'require the repositories of map.json to agree (TAP 4)') as Argv<GetArgs>,
  handler: handle<GetArgs>(async (args) => {
    const { parseNow } = await import('../clock.js');
    const common = {
      ...(args.cache === undefined ? {} : { cacheDir: args.cache }),
      ...(args.now === undefined ? {} : { now: parseNow(args.now) }),
    };
    let report: { target: TrustedTargetJson; path?: string; repositories?: string[]; mapping?: number };
    if (args.map !== undefined) {
      const { getMappedTarget, downloadMappedTarget } = await import('../../workflows/tuf-map.js');
      const options = { ...common, mapPath: args.map, trustedRootsDir: args['trusted-roots']! };
      const found =
        args.download === undefined
          ? await getMappedTarget(args.target, options)
          : await downloadMappedTarget(args.target, { ...options, directory: args.download });
      report = {
        target: found.target,
        repositories: found.repositories,
        mapping: found.mapping,
        ...('path' in found && typeof found.path === 'string' ? { path: found.path } : {}),
      };
    } else {
      const { getTrustedTarget, downloadTrustedTarget } = await import('../../workflows/tuf-get.js');
      const options = {
        ...common,
        metadata: args.metadata!,
        ...(args['trusted-root'] === undefined ? {} : { trustedRootPath: args['trusted-root'] }),
        ...(args['targets-url'] === undefined ? {} : { targets: args['targets-url'] }),
      };
      const result =
        args.download === undefined
          ? { target: await getTrustedTarget(args.target, options) }
          : await downloadTrustedTarget(args.target, { ...options, directory: args.download });
      report = { target: result.target, ...('path' in result && result.path ? { path: result.path } : {}) };
    }
    printResult(args, report, () => {
      const t = report.target;
      const lines = [`trusted target ${t.name}`, `  length  ${t.length}`];
      for (const [alg, hex] of Object.entries(t.hashes)) lines.push(`  ${alg.padEnd(7)} ${hex}`);
      if (Object.keys(t.custom).length > 0) lines.push(`  custom  ${JSON.stringify(t.custom)}`);
      if (report.repositories) lines.push(`signed alike by ${report.repositories.join(', ')} (mapping ${report.mapping})`);
      if (report.path) lines.push(`downloaded and verified: ${report.path}`);
      return lines.join('\n');
    });
  }),
};

/** The `target` member of the report (same shape as the workflow's TrustedTarget). */
interface TrustedTargetJson {
  name: string;
  length: number;
  hashes: Record<string, string>;
  custom: Record<string, unknown>;
}

const tuf: CommandModule<OutputFlags, OutputFlags> = {
  command: 'tuf <command>',
  describe: 'TUF client: read what a repository signed',
  builder: (y) => y.command(get as unknown as CommandModule<OutputFlags, OutputFlags>).demandCommand(1),
  handler: () => undefined,
};

export default tuf;
