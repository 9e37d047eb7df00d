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
      .check((a) => {
        if (a.metadata === undefined) throw new Error('give --metadata <url|dir>');
        if (a['trusted-root'] === undefined && a.cache === undefined) throw new Error('give --trusted-root root.json');
        return true;
      })
      .example(
        '$0 tuf get example.com/org/app:1.2.0 --trusted-root root.json --metadata http://127.0.0.1:8080 --json',
        'print length, hashes and custom of the signed bundle',
      )
      .example('$0 tuf get example.com/org/app:1.2.0 --trusted-root root.json --metadata metadata/ --download out/', 'download it too') as Argv<GetArgs>,
  handler: handle<GetArgs>(async (args) => {
    const { getTrustedTarget, downloadTrustedTarget } = await import('../../workflows/tuf-get.js');
    const { parseNow } = await import('../clock.js');
    const options = {
      metadata: args.metadata!,
      ...(args['trusted-root'] === undefined ? {} : { trustedRootPath: args['trusted-root'] }),
      ...(args.cache === undefined ? {} : { cacheDir: args.cache }),
      ...(args['targets-url'] === undefined ? {} : { targets: args['targets-url'] }),
      ...(args.now === undefined ? {} : { now: parseNow(args.now) }),
    };
    const result =
      args.download === undefined
        ? { target: await getTrustedTarget(args.target, options) }
        : await downloadTrustedTarget(args.target, { ...options, directory: args.download });
    printResult(args, { target: result.target, ...('path' in result && result.path ? { path: result.path } : {}) }, () => {
      const t = result.target;
      const lines = [`trusted target ${t.name}`, `  length  ${t.length}`];
      for (const [alg, hex] of Object.entries(t.hashes)) lines.push(`  ${alg.padEnd(7)} ${hex}`);
      if (Object.keys(t.custom).length > 0) lines.push(`  custom  ${JSON.stringify(t.custom)}`);
      if ('path' in result && result.path) lines.push(`downloaded and verified: ${result.path}`);
      return lines.join('\n');
    });
  }),
};

const tuf: CommandModule<OutputFlags, OutputFlags> = {
  command: 'tuf <command>',
  describe: 'TUF client: read what a repository signed',
  builder: (y) => y.command(get as unknown as CommandModule<OutputFlags, OutputFlags>).demandCommand(1),
  handler: () => undefined,
};

export default tuf;
