/**
 * `cnab-trust relocation <subcommand>`: CNAB 103 relocation mappings.
 *
 *   relocation check  <bundle.json> <relocation-mapping.json>   offline: every image mapped, pinned digests match
 *   relocation verify ...                                         live: resolve relocated images in their registries
 *                                                                 (added by the OCI work, below `check`)
 */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';
import { withRegistryFlags, registryAccess, type RegistryFlags } from '../registry-flags.js';

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
    const { relocationCheck } = await import('../../workflows/relocation/check.js');
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

interface VerifyArgs extends OutputFlags, RegistryFlags {
  bundle: string;
  mapping: string;
}

const verify: CommandModule<OutputFlags, VerifyArgs> = {
  command: 'verify <bundle> <mapping>',
  describe: 'verify a relocation live: each relocated image must resolve in its registry to the signed contentDigest',
  builder: (y: Argv<OutputFlags>) =>
    withRegistryFlags(
      y
        .positional('bundle', { type: 'string', demandOption: true, describe: 'bundle.json, or a bundle reference (registry/repo:tag, oci:<dir>:<tag>)' })
        .positional('mapping', { type: 'string', demandOption: true, describe: 'relocation-mapping.json ({original: relocated})' })
        .example('$0 relocation verify bundle.json relocation-mapping.json', 'every relocated image resolves to its contentDigest')
        .example('$0 relocation verify registry.example/org/app:1.0.0 mapping.json --json', 'bundle pulled from a registry; JSON report'),
    ) as Argv<VerifyArgs>,
  handler: handle(async (args: VerifyArgs) => {
    const { relocationVerify } = await import('../../workflows/relocation/verify.js');
    const { describeFetchedChecks } = await import('../../core/relocation/index.js');
    const report = await relocationVerify(args.bundle, args.mapping, await registryAccess(args));
    printResult(args, report, () =>
      [
        `relocation verify: ${report.bundle} with mapping ${report.mapping}`,
        ...report.images.map(
          (i) => `  ok  ${i.label}: ${i.original} -> ${i.relocated} = ${i.resolvedDigest} (manifest fetched by ${i.fetched?.by ?? 'digest'}, ${i.fetched?.bytes ?? '?'} bytes hashed)`,
        ),
        ...report.unusedKeys.map((k) => `  unused mapping key ${JSON.stringify(k)}`),
        `verdict: all ${report.images.length} relocated image(s) hold the signed digests: ${describeFetchedChecks(report.images)}`,
      ].join('\n'),
    );
    return 0;
  }),
};

const subcommands: CommandModule<OutputFlags, any>[] = [check, verify]; // eslint-disable-line @typescript-eslint/no-explicit-any

const relocation: CommandModule<OutputFlags, OutputFlags> = {
  command: 'relocation',
  describe: 'check and verify CNAB 103 relocation mappings',
  builder: (y: Argv<OutputFlags>) => {
    for (const c of subcommands) y.command(c);
    return y.demandCommand(1, 'name a relocation subcommand (check, verify)').example('$0 relocation check bundle.json relocation-mapping.json', 'offline check');
  },
  handler: () => undefined,
};

export default relocation;
