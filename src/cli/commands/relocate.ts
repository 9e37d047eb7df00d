/** `cnab-trust relocate <ref> <target-repository> [-o relocation-mapping.json]`. */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';
import { registryAccess, withRegistryFlags, type RegistryFlags } from '../registry-flags.js';
import { copyProgress } from '../progress.js';

interface RelocateArgs extends OutputFlags, RegistryFlags {
  ref: string;
  target: string;
  output?: string;
}

const relocate: CommandModule<OutputFlags, RelocateArgs> = {
  command: 'relocate <ref> <target>',
  describe: 'copy a bundle and all its images verbatim (digests preserved) to another repository or OCI layout; write the relocation mapping',
  builder: (y: Argv<OutputFlags>) =>
    withRegistryFlags(
      y
        .positional('ref', { type: 'string', demandOption: true, describe: 'the pushed bundle: registry/repository:tag or oci:<dir>:<tag>' })
        .positional('target', { type: 'string', demandOption: true, describe: 'target repository (mirror.local/org/app) or oci:<dir>' })
        .option('output', { alias: 'o', type: 'string', describe: 'relocation mapping file (default relocation-mapping.json)' })
        .example('$0 relocate registry.example/org/app:1.0.0 mirror.local/org/app', 'copy into a private registry')
        .example('$0 relocate oci:./out:1.0.0 oci:./airgap -o mapping.json', 'into an OCI layout directory'),
    ) as Argv<RelocateArgs>,
  handler: handle(async (args: RelocateArgs) => {
    const { relocate: run } = await import('../../workflows/oci/relocate.js');
    const progress = copyProgress(args);
    const report = await run(args.ref, args.target, {
      ...(await registryAccess(args)),
      ...(args.output === undefined ? {} : { output: args.output }),
      ...(progress === undefined ? {} : { onProgress: progress.onProgress }),
    }).finally(() => progress?.done());
    printResult(args, report, () => {
      const s = report.stats;
      return [
        `relocated ${report.source} to ${report.relocated}`,
        `  ${s.manifestsCopied} manifest(s) copied, ${s.manifestsPresent} present; ${s.blobsCopied} blob(s) copied (${s.bytesCopied} bytes), ${s.blobsMounted} mounted, ${s.blobsPresent} present`,
        `relocation mapping written to ${report.relocationMapping}`,
      ].join('\n');
    });
    return 0;
  }),
};

export default relocate;
