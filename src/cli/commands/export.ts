/**
 * `cnab-trust export <ref> -o bundle.tgz`: verify, then write a thick bundle (CNAB 104/805) carrying the images and
 * the TUF metadata and in-toto files that verify it offline (`cnab-trust verify bundle.tgz --trusted-root root.json`).
 */
import type { Argv, CommandModule } from 'yargs';
import { copyProgress } from '../progress.js';
import { handle, printResult, type OutputFlags } from '../output.js';
import { registryAccess, withRegistryFlags, type RegistryFlags } from '../registry-flags.js';

interface ExportArgs extends OutputFlags, RegistryFlags {
  ref: string;
  output: string;
  'trusted-root': string;
  metadata: string;
  target?: string;
  now?: string;
}

const exportCommand: CommandModule<OutputFlags, ExportArgs> = {
  command: 'export <ref>',
  describe: 'airgap: verify a bundle, then write it with its images, TUF metadata and in-toto files as a thick bundle .tgz',
  builder: (y) =>
    withRegistryFlags(y as Argv<OutputFlags>)
      .positional('ref', { type: 'string', demandOption: true, describe: 'registry reference or oci:<dir>:<tag>' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'the .tgz to write' })
      .option('trusted-root', { type: 'string', demandOption: true, describe: 'root.json you trust' })
      .option('metadata', { type: 'string', demandOption: true, describe: 'TUF repository: an http(s) URL or a directory' })
      .option('target', { type: 'string', describe: 'signed target <gun>:<tag> (default: the reference given)' })
      .option('now', { type: 'string', describe: 'check expiry at this ISO 8601 time instead of the clock' })
      .example('$0 export registry.example/org/app:1.0.0 -o app-1.0.0.tgz --trusted-root root.json --metadata https://tuf.example', 'for an airgapped site') as Argv<ExportArgs>,
  handler: handle<ExportArgs>(async (args) => {
    const { exportBundle } = await import('../../compositions/airgap.js');
    const { parseNow } = await import('../clock.js');
    const progress = copyProgress(args);
    const report = await exportBundle(args.ref, {
      output: args.output,
      ...(progress === undefined ? {} : { onProgress: progress.onProgress }),
      trustedRootPath: args['trusted-root'],
      metadata: args.metadata,
      registry: await registryAccess(args),
      ...(args.target === undefined ? {} : { target: args.target }),
      ...(args.now === undefined ? {} : { now: parseNow(args.now) }),
    }).finally(() => progress?.done());
    printResult(args, report, () =>
      [
        `verified ${report.source} as ${report.target}`,
        `exported ${report.output}: ${report.length} bytes, ${report.digest}`,
        `  carries the OCI layout, ${report.metadataFiles} TUF metadata file(s) and ${report.intotoFiles} in-toto file(s)`,
        `  verify it offline: cnab-trust verify ${report.output} --trusted-root <root.json>`,
      ].join('\n'),
    );
  }),
};

export default exportCommand;
