/**
 * `cnab-trust list`: the bundle targets of the TUF repository with their digests.
 */
import type { Argv, CommandModule } from 'yargs';
import { storeOption } from '../store-flag.js';
import { handle, printResult, type OutputFlags } from '../output.js';

interface ListArgs extends OutputFlags {
  metadata: string;
  store?: string;
}

const list: CommandModule<OutputFlags, ListArgs> = {
  command: 'list',
  describe: 'list the bundle targets (<gun>:<tag>) of the TUF repository with length and digests',
  builder: (y) =>
    (y as Argv<OutputFlags>)
      .option('metadata', { type: 'string', default: 'metadata', describe: 'repository directory' })
      .option('store', storeOption)
      .example('$0 list', 'one line per bundle version')
      .example('$0 list --json', 'machine-readable') as unknown as Argv<ListArgs>,
  handler: handle<ListArgs>(async (args) => {
    const { listBundles } = await import('../../adapters/tuf-repo/bundle-list.js');
    const report = await listBundles({ metadataDir: args.metadata, storeUrl: args.store });
    printResult(args, report, () =>
      report.targets.length === 0
        ? `no bundles signed for ${report.gun}`
        : report.targets.map((t) => `${t.name}  sha256:${t.sha256}  ${t.length} bytes${t.digest ? `  bundle ${t.digest}` : ''}`).join('\n'),
    );
  }),
};

export default list;
