/** `cnab-trust push <bundle.json> <ref> [--fixup]`: a bundle into a registry or OCI layout, as cnab-to-oci lays it out. */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';
import { registryAccess, withRegistryFlags, type RegistryFlags } from '../registry-flags.js';
import { copyProgress } from '../progress.js';

interface PushArgs extends OutputFlags, RegistryFlags {
  bundle: string;
  ref: string;
  fixup?: boolean;
  images?: string;
  metadata?: string;
}

const push: CommandModule<OutputFlags, PushArgs> = {
  command: 'push <bundle> <ref>',
  describe: 'push a bundle and its images in the CNAB 200/201 (cnab-to-oci) layout to a registry or OCI layout directory',
  builder: (y: Argv<OutputFlags>) =>
    withRegistryFlags(
      y
        .positional('bundle', { type: 'string', demandOption: true, describe: 'bundle.json' })
        .positional('ref', { type: 'string', demandOption: true, describe: 'registry/repository:tag or oci:<dir>:<tag>' })
        .option('fixup', { type: 'boolean', describe: 'resolve images and write contentDigest/size/mediaType into bundle.json first (sign afterwards)' })
        .option('images', { type: 'string', describe: 'take the images from this OCI layout (oci:<dir>) instead of their registries' })
        .option('metadata', { type: 'string', describe: 'TUF metadata directory: --fixup is refused if the bundle is signed there' })
        .example('$0 push bundle.json registry.example/org/app:1.0.0', 'images must match the signed contentDigest')
        .example('$0 push bundle.json oci:./out:1.0.0 --fixup', 'pin the images, write bundle.json, push into an OCI layout'),
    ) as Argv<PushArgs>,
  handler: handle(async (args: PushArgs) => {
    const { push: run } = await import('../../workflows/oci/push.js');
    const progress = copyProgress(args);
    const report = await run(args.bundle, args.ref, {
      ...(await registryAccess(args)),
      ...(args.fixup === undefined ? {} : { fixup: args.fixup }),
      ...(args.images === undefined ? {} : { images: args.images }),
      ...(args.metadata === undefined ? {} : { metadata: args.metadata }),
      ...(progress === undefined ? {} : { onProgress: progress.onProgress }),
    }).finally(() => progress?.done());
    printResult(args, report, () => {
      const lines = [`pushed ${report.bundle.name} ${report.bundle.version} to ${report.reference}`, `  index  ${report.digest}`, `  bundle ${report.bundle.digest} (${report.bundle.size} bytes)`];
      for (const i of report.images) {
        lines.push(`  ${i.image}: ${i.reference} -> ${i.digest}${i.previousDigest !== undefined && i.previousDigest !== i.digest ? ` (was ${i.previousDigest})` : ''}`);
      }
      if (report.mustSign) lines.push(`fixup wrote the image digests into ${report.bundle.file}: the bundle changed, sign it now (${report.bundle.digest})`);
      return lines.join('\n');
    });
    return 0;
  }),
};

export default push;
