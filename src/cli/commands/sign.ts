/**
 * `cnab-trust sign <bundle.json|bundle.tgz|registry ref|oci:dir:tag> --ref <gun>:<tag>`: sign a bundle version
 * into the TUF repository. For a stored bundle the bytes signed are the bundle.json blob exactly as stored there.
 */
import type { Argv, CommandModule } from 'yargs';
import { isStoredBundleSource } from '../bundle-source.js';
import { listOption } from '../list-flag.js';
import { storeOption } from '../store-flag.js';
import { handle, printResult, type OutputFlags } from '../output.js';
import { registryAccess, withRegistryFlags, type RegistryFlags } from '../registry-flags.js';

interface SignArgs extends OutputFlags, RegistryFlags {
  bundle: string;
  ref: string;
  metadata: string;
  store?: string;
  keys: string;
  'allow-unpinned': boolean;
  layout?: string;
  'layout-keys'?: string[];
  links?: string;
  'allow-unverified': boolean;
}

function checkLine(c: import('../../workflows/tuf/sign.js').ReleaseCheck): string {
  if (c.noSupplyChain) return 'no layout, no links: no supply chain to check';
  if (c.allowedUnverified !== undefined) {
    return `UNVERIFIED, signed anyway (--allow-unverified): error[${c.allowedUnverified.code}] ${c.allowedUnverified.message}`;
  }
  const inspections = c.inspectionsDeclared > 0 ? `; ${c.inspectionsDeclared} inspection(s) left to verify` : '';
  return `verified before signing: ${c.layout} (${c.steps.length} step(s)), final product this bundle${inspections}`;
}

const sign: CommandModule<OutputFlags, SignArgs> = {
  command: 'sign <bundle>',
  describe: 'sign a bundle (thin bundle.json or thick archive) as target <gun>:<tag> of targets/releases',
  builder: (y) =>
    withRegistryFlags(y as Argv<OutputFlags>)
      .positional('bundle', {
        type: 'string',
        demandOption: true,
        describe: 'bundle.json (thin), bundle.tgz (thick), or a registry reference / oci:<dir>:<tag> (signs the bytes stored there)',
      })
      .option('ref', { type: 'string', demandOption: true, describe: 'target name <gun>:<tag>' })
      .option('metadata', { type: 'string', default: 'metadata', describe: 'repository directory' })
      .option('store', storeOption)
      .option('keys', { type: 'string', default: 'keys', describe: 'key store directory' })
      .option('allow-unpinned', { type: 'boolean', default: false, describe: 'sign a thin bundle whose images lack contentDigest' })
      .option('layout', { type: 'string', describe: 'in-toto root layout to sign as a target of targets' })
      .option('layout-keys', listOption('public key files verifying the layout'))
      .option('links', { type: 'string', describe: 'directory of in-toto links (*.link) for this bundle' })
      .option('allow-unverified', {
        type: 'boolean',
        default: false,
        describe: 'sign even if the in-toto supply chain does not verify with this bundle as final product (staged workflows; reported)',
      })
      .example('$0 sign bundle.json --ref example.com/org/app:1.2.0', 'sign a thin bundle')
      .example('$0 sign example.com/org/app:1.2.0 --ref example.com/org/app:1.2.0', 'sign the bundle as stored in the registry (pushed by Porter, cnab-to-oci)')
      .example(
        '$0 sign bundle.json --ref example.com/org/app:1.2.0 --layout root.layout --layout-keys alice.pub --links links/',
        'with its supply chain (CNAB-Sec 301)',
      ) as unknown as Argv<SignArgs>,
  handler: handle<SignArgs>(async (args) => {
    const { signBundle } = await import('../../workflows/tuf/sign.js');
    let stored: { bytes: Uint8Array; index: string } | undefined;
    if (await isStoredBundleSource(args.bundle)) {
      const { readStoredBundle } = await import('../../adapters/oci/stored-bundle.js');
      const pulled = await readStoredBundle(args.bundle, await registryAccess(args));
      stored = { bytes: pulled.bundleBytes, index: pulled.index.digest };
    }
    const report = await signBundle({
      input: args.bundle,
      ...(stored === undefined ? {} : { stored }),
      ref: args.ref,
      metadataDir: args.metadata,
      storeUrl: args.store,
      keysDir: args.keys,
      allowUnpinned: args['allow-unpinned'],
      ...(args.layout === undefined ? {} : { layout: args.layout }),
      ...(args['layout-keys'] === undefined ? {} : { layoutKeys: args['layout-keys'] }),
      ...(args.links === undefined ? {} : { links: args.links }),
      allowUnverified: args['allow-unverified'],
    });
    printResult(args, report, () =>
      [
        `signed ${report.target.name} (${report.kind}${report.stored ? `: the bundle.json blob stored at ${args.bundle}` : ''}) in ${report.role}`,
        `  length  ${report.target.length}`,
        `  sha256  ${report.target.hashes.sha256}`,
        ...(report.layout ? [`  layout  ${report.layout.name} (${report.layoutKeys.length} key target(s))`] : []),
        ...report.links.map((l) => `  link    ${l.name}`),
        `  in-toto ${checkLine(report.check)}`,
        `published: ${Object.entries(report.versions).map(([r, v]) => `${r} v${v}`).join(', ')}`,
        ...report.warnings.map((w) => `warning: ${w}`),
      ].join('\n'),
    );
  }),
};

export default sign;
