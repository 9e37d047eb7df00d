/**
 * `cnab-trust digest <bundle.json|bundle.tgz|registry ref|oci:dir:tag>`: the digest and length of a bundle's signed
 * artifact (canonical bundle.json bytes for a thin bundle, the archive bytes for a thick one, the stored
 * bundle.json blob for a bundle in a registry or OCI layout).
 */
import { existsSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { isStoredBundleSource } from '../bundle-source.js';
import { handle, printResult, type OutputFlags } from '../output.js';
import { registryAccess, withRegistryFlags, type RegistryFlags } from '../registry-flags.js';

interface DigestArgs extends OutputFlags, RegistryFlags {
  bundle: string;
}

const digest: CommandModule<OutputFlags, DigestArgs> = {
  command: 'digest <bundle>',
  describe: "print the sha256 digest and length of a bundle's signed bytes",
  builder: (y: Argv<OutputFlags>) =>
    withRegistryFlags(y)
      .positional('bundle', { type: 'string', demandOption: true, describe: 'bundle.json (thin), bundle.tgz (thick, CNAB 104), registry reference or oci:<dir>:<tag>' })
      .example('$0 digest bundle.json', 'sha256 of the canonical (JCS) bytes, and their length')
      .example('$0 digest bundle.json --json', '{"digest": "sha256:...", "length": N, "canonical": true|false}')
      .example('$0 digest bundle.tgz', 'sha256 of the archive bytes as stored (thick bundle)')
      .example('$0 digest example.com/org/app:1.0.0', 'sha256 of the bundle.json blob stored in the registry (what sign <ref> signs)') as unknown as Argv<DigestArgs>,
  handler: (args) => run(args),
};

const run = handle(async (args: DigestArgs) => {
  if (await isStoredBundleSource(args.bundle)) {
    const { digestStoredBundle } = await import('../../workflows/oci/pull.js');
    const stored = await digestStoredBundle(args.bundle, await registryAccess(args));
    printResult(args, stored, () =>
      `${stored.digest}\nlength: ${stored.length} (bundle.json blob stored at ${stored.reference}; ${stored.canonical ? 'canonical' : `not canonical: its canonical form is ${stored.bundle.digest}`})`,
    );
    return 0;
  }
  const { digestBundleFile } = await import('../../workflows/bundle/file.js');
  const report = await digestBundleFile(args.bundle);
  printResult(args, report, () =>
    report.kind === 'thick'
      ? `${report.digest}\nlength: ${report.length} (archive bytes of thick bundle ${report.file}; bundle.json inside: ${report.bundle!.digest}, ${report.bundle!.length} bytes canonical)`
      : `${report.digest}\nlength: ${report.length} (canonical bytes of ${report.file}; the input was ${report.canonical ? 'already canonical' : 'not canonical'})`,
  );
  return 0;
});

/**
 * `digest <existing file> [--json] [--quiet] [--debug]` runs without yargs (main.ts `fastPath`): yargs is most of
 * the start-up of a small digest. Anything else, a stored bundle included, goes through yargs.
 */
export function fastPath(rest: readonly string[]): (() => Promise<void>) | undefined {
  const [bundle, ...flags] = rest;
  const known = ['--json', '--quiet', '--debug'];
  if (bundle === undefined || bundle.startsWith('-') || bundle.startsWith('oci:') || bundle.startsWith('docker://') || !existsSync(bundle)) {
    return undefined;
  }
  if (flags.some((f) => !known.includes(f)) || new Set(flags).size !== flags.length) return undefined;
  const args = { bundle, json: flags.includes('--json'), quiet: flags.includes('--quiet'), debug: flags.includes('--debug') } as DigestArgs;
  return () => run(args);
}

export default digest;
