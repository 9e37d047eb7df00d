/**
 * `cnab-trust relocation <subcommand>`: CNAB 103 relocation mappings.
 *
 *   relocation check  <bundle.json> <relocation-mapping.json>   offline: every image mapped, pinned digests match
 *   relocation verify ...                                         live: resolve relocated images in their registries
 *                                                                 (added by the OCI work, below `check`)
 */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';

interface CheckArgs extends OutputFlags {
  bundle: string;
  mapping: string;
}

const check: CommandModule<OutputFlags, CheckArgs> = {
  command: 'check <bundle> <mapping>',
  describe: 'check a CNAB 103 relocation mapping against a bundle, offline (no registry is contacted)',
  builder: (y: Argv<OutputFlags>) =>
    y
      .positional('bundle', { type: 'string', demandOption: true, describe: 'bundle.json' })
      .positional('mapping', { type: 'string', demandOption: true, describe: 'relocation-mapping.json ({original: relocated})' })
      .example('$0 relocation check bundle.json relocation-mapping.json', 'every image mapped; digests of pinned references equal contentDigest')
      .example('$0 relocation check bundle.json relocation-mapping.json --json', 'the per-image report as JSON') as Argv<CheckArgs>,
  handler: handle(async (args: CheckArgs) => {
    const { relocationCheck } = await import('../../workflows/relocation-check.js');
    const report = await relocationCheck(args.bundle, args.mapping);
    printResult(args, report, () => {
      const width = Math.max(...report.images.map((i) => i.image.length));
      const lines = [`relocation check: ${report.bundle} with mapping ${report.mapping}`];
      for (const i of report.images) {
        const what =
          i.status === 'pinned'
            ? `ok       ${i.image.padEnd(width)}  ${i.original} -> ${i.relocated}`
            : `resolve  ${i.image.padEnd(width)}  ${i.original} -> ${i.relocated} (must resolve to ${i.expectedDigest})`;
        lines.push(`  ${what}`);
      }
      for (const k of report.unusedKeys) lines.push(`  unused   mapping key ${JSON.stringify(k)} names no image of the bundle`);
      const pinned = report.images.length - report.toResolve;
      lines.push(
        `verdict: the mapping covers all ${report.images.length} image(s); ${pinned} pinned to the signed digest` +
          (report.toResolve > 0 ? `; ${report.toResolve} to resolve live in a registry (cnab-trust relocation verify)` : ''),
      );
      return lines.join('\n');
    });
    return 0;
  }),
};

// `relocation verify` (live resolution in registries, issue 5 item 7) is added to this list by the OCI work.
const subcommands: CommandModule<OutputFlags, any>[] = [check]; // eslint-disable-line @typescript-eslint/no-explicit-any

const relocation: CommandModule<OutputFlags, OutputFlags> = {
  command: 'relocation',
  describe: 'check and verify CNAB 103 relocation mappings',
  builder: (y: Argv<OutputFlags>) => {
    for (const c of subcommands) y.command(c);
    return y.demandCommand(1, 'name a relocation subcommand (check)').example('$0 relocation check bundle.json relocation-mapping.json', 'offline check');
  },
  handler: () => undefined,
};

export default relocation;
