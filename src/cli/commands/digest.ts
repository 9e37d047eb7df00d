/**
 * `cnab-trust digest <bundle.json|bundle.tgz>`: the digest and length of a bundle's signed artifact
 * (canonical bundle.json bytes for a thin bundle, the archive bytes for a thick one).
 */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';

interface DigestArgs extends OutputFlags {
  bundle: string;
}

const digest: CommandModule<OutputFlags, DigestArgs> = {
  command: 'digest <bundle>',
  describe: "print the sha256 digest and length of a bundle's signed bytes",
  builder: (y: Argv<OutputFlags>) =>
    y
      .positional('bundle', { type: 'string', demandOption: true, describe: 'bundle.json (thin) or bundle.tgz (thick, CNAB 104)' })
      .example('$0 digest bundle.json', 'sha256 of the canonical (JCS) bytes, and their length')
      .example('$0 digest bundle.json --json', '{"digest": "sha256:...", "length": N, "canonical": true|false}')
      .example('$0 digest bundle.tgz', 'sha256 of the archive bytes as stored (thick bundle)') as Argv<DigestArgs>,
  handler: handle(async (args: DigestArgs) => {
    const { digestBundleFile } = await import('../../workflows/bundle-file.js');
    const report = await digestBundleFile(args.bundle);
    printResult(args, report, () =>
      report.kind === 'thick'
        ? `${report.digest}\nlength: ${report.length} (archive bytes of thick bundle ${report.file}; bundle.json inside: ${report.bundle!.digest}, ${report.bundle!.length} bytes canonical)`
        : `${report.digest}\nlength: ${report.length} (canonical bytes of ${report.file}; the input was ${report.canonical ? 'already canonical' : 'not canonical'})`,
    );
    return 0;
  }),
};

export default digest;
