/**
 * `cnab-trust publish --store postgres://... --to DIR`: write a static copy of a repository kept in PostgreSQL,
 * in the client-safe order, for a static host or a CDN.
 */
import type { Argv, CommandModule } from 'yargs';
import { storeOption } from '../store-flag.js';
import { handle, printResult, type OutputFlags } from '../output.js';

interface PublishArgs extends OutputFlags {
  store?: string;
  to: string;
}

const publish: CommandModule<OutputFlags, PublishArgs> = {
  command: 'publish',
  describe: 'write a static copy of a repository kept in PostgreSQL (targets, snapshots, then timestamp last)',
  builder: (y) =>
    (y as Argv<OutputFlags>)
      .option('store', storeOption)
      .option('to', { type: 'string', demandOption: true, describe: 'directory to write the copy into (files already there are kept)' })
      .example('$0 publish --store postgres://signer@db.internal/tuf --to public/', 'then sync public/ to the CDN, timestamp.json last') as unknown as Argv<PublishArgs>,
  handler: handle<PublishArgs>(async (args) => {
    const { publishStore } = await import('../../workflows/tuf/publish.js');
    const r = await publishStore({ storeUrl: args.store, to: args.to });
    printResult(args, r, () => `published ${r.store} to ${r.to}: ${r.written} files written (${r.bytes} bytes), ${r.unchanged} unchanged; timestamp v${r.timestampVersion}`);
  }),
};

export default publish;
