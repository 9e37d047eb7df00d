/** `cnab-trust pull <ref> [-o bundle.json] [--relocation-mapping out.json]`. */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';
import { registryAccess, withRegistryFlags, type RegistryFlags } from '../registry-flags.js';

interface PullArgs extends OutputFlags, RegistryFlags {
  ref: string;
  output?: string;
  'relocation-mapping'?: string;
}

const pull: CommandModule<OutputFlags, PullArgs> = {
  command: 'pull <ref>',
  describe: 'pull a bundle pushed in the CNAB 200/201 layout; check the index against the bundle; write bundle.json',
  builder: (y: Argv<OutputFlags>) =>
    withRegistryFlags(
      y
        .positional('ref', { type: 'string', demandOption: true, describe: 'registry/repository:tag|@digest or oci:<dir>:<tag>' })
        .option('output', { alias: 'o', type: 'string', describe: 'where to write bundle.json (default bundle.json)' })
        .option('relocation-mapping', { type: 'string', describe: 'also write the CNAB 103 relocation mapping {image: repository@digest}' })
        .example('$0 pull registry.example/org/app:1.0.0 -o bundle.json', 'fetch and check the bundle')
        .example('$0 pull oci:./out:1.0.0 --relocation-mapping mapping.json', 'from an OCI layout directory'),
    ) as Argv<PullArgs>,
  handler: handle(async (args: PullArgs) => {
    const { pull: run } = await import('../../workflows/oci/pull.js');
    const report = await run(args.ref, {
      ...(await registryAccess(args)),
      ...(args.output === undefined ? {} : { output: args.output }),
      ...(args['relocation-mapping'] === undefined ? {} : { relocationMapping: args['relocation-mapping'] }),
    });
    printResult(args, report, () =>
      [
        `pulled ${report.bundle.name} ${report.bundle.version} from ${report.reference} (${report.digest}) into ${report.bundle.file}`,
        ...report.images.map((i) => `  ${i.image}: ${i.reference} = ${i.digest}`),
        ...(report.relocationMapping === undefined ? [] : [`relocation mapping written to ${report.relocationMapping}`]),
      ].join('\n'),
    );
    return 0;
  }),
};

export default pull;
