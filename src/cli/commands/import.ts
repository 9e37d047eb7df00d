/** `cnab-trust import bundle.tgz <registry/repository>`: relocate an exported bundle into a registry (CNAB 805). */
import type { Argv, CommandModule } from 'yargs';
import { copyProgress } from '../progress.js';
import { handle, printResult, type OutputFlags } from '../output.js';
import { registryAccess, withRegistryFlags, type RegistryFlags } from '../registry-flags.js';

interface ImportArgs extends OutputFlags, RegistryFlags {
  archive: string;
  repository: string;
  output?: string;
  tag?: string;
}

const importCommand: CommandModule<OutputFlags, ImportArgs> = {
  command: 'import <archive> <repository>',
  describe: 'airgap: copy the bundle of an exported .tgz into a registry repository; write the relocation mapping',
  builder: (y) =>
    withRegistryFlags(y as Argv<OutputFlags>)
      .positional('archive', { type: 'string', demandOption: true, describe: 'thick bundle written by cnab-trust export' })
      .positional('repository', { type: 'string', demandOption: true, describe: 'registry/repository (or oci:<dir>) to import into' })
      .option('output', { alias: 'o', type: 'string', describe: 'relocation mapping to write (default relocation-mapping.json)' })
      .option('tag', { type: 'string', describe: 'tag to import (default: the tag of the signed target the archive names)' })
      .example('$0 import app-1.0.0.tgz mirror.local:5000/org/app -o relocation-mapping.json', 'into the private registry') as Argv<ImportArgs>,
  handler: handle<ImportArgs>(async (args) => {
    const { importBundle } = await import('../../compositions/airgap.js');
    const progress = copyProgress(args);
    const report = await importBundle(args.archive, args.repository, {
      ...(await registryAccess(args)),
      ...(args.output === undefined ? {} : { output: args.output }),
      ...(args.tag === undefined ? {} : { tag: args.tag }),
      ...(progress === undefined ? {} : { onProgress: progress.onProgress }),
    }).finally(() => progress?.done());
    printResult(args, report, () =>
      [
        `imported ${args.archive} into ${report.relocated}`,
        `  ${report.stats.manifestsCopied} manifest(s), ${report.stats.blobsCopied} blob(s) copied (${report.stats.bytesCopied} bytes)`,
        `relocation mapping written to ${report.relocationMapping}`,
        ...(report.target === undefined ? [] : [`  verify: cnab-trust verify ${report.relocated} --target ${report.target} --relocation-mapping ${report.relocationMapping} ...`]),
      ].join('\n'),
    );
  }),
};

export default importCommand;
