/**
 * `cnab-trust tuf get <gun>:<tag>`: the TUF client (verify side). Parses flags, calls the workflow, prints.
 */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';
import { tufClientOptions, withTufClientFlags, type TufClientFlags } from '../tuf-client-flags.js';
import { networkLimits, withNetworkFlags, type NetworkFlags } from '../network-flags.js';

interface GetArgs extends OutputFlags, TufClientFlags, NetworkFlags {
  target: string;
  download?: string;
}

const get: CommandModule<OutputFlags, GetArgs> = {
  command: 'get <target>',
  describe: 'print the target a TUF repository signed for <gun>:<tag> (TUF client workflow), optionally download it',
  builder: (y) =>
    withNetworkFlags(withTufClientFlags(y as Argv<OutputFlags>, { metadata: 'repository metadata: an http(s) URL or a directory' }))
      .positional('target', { type: 'string', demandOption: true, describe: 'target name, e.g. example.com/org/app:1.2.0' })
      .option('download', { type: 'string', describe: 'download the target file into this directory, verified' })
      .check((a) => {
        // unlike verify (whose exported .tgz carries its metadata), tuf get needs the repository named
        if (a.map !== undefined) {
          if (a.metadata !== undefined || a['trusted-root'] !== undefined || a['targets-url'] !== undefined) {
            throw new Error('--map takes the repositories from the map file: drop --metadata, --trusted-root, --targets-url');
          }
        } else if (a.metadata === undefined) {
          throw new Error('give --metadata <url|dir> (or --map map.json)');
        }
        return true;
      })
      .example(
        '$0 tuf get example.com/org/app:1.2.0 --trusted-root root.json --metadata http://127.0.0.1:8080 --json',
        'print length, hashes and custom of the signed bundle',
      )
      .example('$0 tuf get example.com/org/app:1.2.0 --trusted-root root.json --metadata metadata/ --download out/', 'download it too')
      .example('$0 tuf get example.com/org/app:1.2.0 --map map.json --trusted-roots roots/', 'require the repositories of map.json to agree (TAP 4)') as Argv<GetArgs>,
  handler: handle<GetArgs>(async (args) => {
    const { map, trustedRootsDir, metadata, trustedRootPath, targets, ...flagged } = await tufClientOptions(args);
    const common = { ...flagged, http: networkLimits(args) };
    let report: { target: TrustedTargetJson; path?: string; repositories?: string[]; mapping?: number };
    if (map !== undefined) {
      const { getMappedTarget, downloadMappedTarget } = await import('../../adapters/tuf/map-client.js');
      const options = { ...common, mapPath: map, trustedRootsDir: trustedRootsDir! };
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
      const { getTrustedTarget, downloadTrustedTarget } = await import('../../workflows/tuf/get.js');
      const options = {
        ...common,
        metadata: metadata!,
        ...(trustedRootPath === undefined ? {} : { trustedRootPath }),
        ...(targets === undefined ? {} : { targets }),
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
