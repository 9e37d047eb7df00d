/** `cnab-trust canonicalize <bundle.json> [-o file]`: the canonical (JCS, RFC 8785) bytes of a bundle. */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';

interface CanonicalizeArgs extends OutputFlags {
  bundle: string;
  output?: string;
}

const canonicalize: CommandModule<OutputFlags, CanonicalizeArgs> = {
  command: 'canonicalize <bundle>',
  describe: 'validate a bundle and write its canonical bytes (sorted keys, no whitespace; top-level nulls dropped)',
  builder: (y: Argv<OutputFlags>) =>
    y
      .positional('bundle', { type: 'string', demandOption: true, describe: 'bundle.json (or a thick bundle.tgz: its bundle.json)' })
      .option('output', { alias: 'o', type: 'string', describe: 'write here (atomically) instead of stdout' })
      .example('$0 canonicalize bundle.json -o bundle.canonical.json', 'write the canonical form next to the original')
      .example('$0 canonicalize bundle.json | sha256sum', 'canonical bytes on stdout (no trailing newline)') as Argv<CanonicalizeArgs>,
  handler: handle(async (args: CanonicalizeArgs) => {
    const { canonicalizeBundleFile } = await import('../../workflows/bundle/file.js');
    const { report, bytes } = await canonicalizeBundleFile(args.bundle, args.output);
    if (args.output === undefined && !args.json) {
      // The bytes themselves are the output: exactly, with no newline added.
      process.stdout.write(bytes);
      return 0;
    }
    printResult(args, args.output === undefined ? { ...report, text: bytes.toString('utf8') } : report, () =>
      `wrote ${report.output} (${report.digest}, ${report.length} bytes${report.canonical ? '; the input was already canonical' : ''})`,
    );
    return 0;
  }),
};

export default canonicalize;
