/** `cnab-trust validate <bundle.json>`: strict JSON and the CNAB bundle schema (CNAB 101). */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';

interface ValidateArgs extends OutputFlags {
  bundle: string;
}

const validate: CommandModule<OutputFlags, ValidateArgs> = {
  command: 'validate <bundle>',
  describe: 'check that a bundle is strict JSON (no duplicate keys) and valid against the CNAB bundle schema',
  builder: (y: Argv<OutputFlags>) =>
    y
      .positional('bundle', { type: 'string', demandOption: true, describe: 'bundle.json (or a thick bundle.tgz)' })
      .example('$0 validate bundle.json', 'exit 0 when valid; exit 1 with the JSON path and schema rule broken otherwise')
      .example('$0 validate bundle.json --json', 'the bundle name, version, every image it names, and how cnab-go (Porter, cnab-to-oci) would store it') as Argv<ValidateArgs>,
  handler: handle(async (args: ValidateArgs) => {
    const { validateBundleFile } = await import('../../workflows/bundle/file.js');
    const report = await validateBundleFile(args.bundle);
    printResult(args, report, () => {
      const inv = report.images.filter((i) => i.kind === 'invocation').length;
      const comp = report.images.length - inv;
      return [
        `${report.file}: valid CNAB bundle ${report.name} ${report.version} (schemaVersion ${report.schemaVersion}; ${inv} invocation image(s), ${comp} component image(s))`,
        ...report.warnings.map((w) => `warning: ${w}`),
      ].join('\n');
    });
    return 0;
  }),
};

export default validate;
