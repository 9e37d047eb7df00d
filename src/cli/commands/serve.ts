/**
 * `cnab-trust serve`: serve a TUF repository directory read-only over HTTP (loopback by default) until interrupted.
 */
import type { Argv, CommandModule } from 'yargs';
import { storeOption } from '../store-flag.js';
import { handle, type OutputFlags } from '../output.js';

interface ServeArgs extends OutputFlags {
  metadata: string;
  store?: string;
  port: number;
  host: string;
}

const serve: CommandModule<OutputFlags, ServeArgs> = {
  command: 'serve',
  describe: 'serve a TUF repository directory read-only over HTTP (role names with / are found as nested files)',
  builder: (y) =>
    (y as Argv<OutputFlags>)
      .option('metadata', { type: 'string', default: 'metadata', describe: 'repository directory to serve' })
      .option('store', storeOption)
      .option('port', { type: 'number', default: 8080, describe: 'TCP port (0: any free port)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on (loopback by default)' })
      .example('$0 serve --metadata metadata/ --port 8080', 'clients then use --metadata http://127.0.0.1:8080')
      .example('$0 serve --port 0 --json', 'print {"url": ...} for a free port')
      .example('$0 serve --store postgres://signer@db.internal/tuf', 'serve the repository kept in PostgreSQL') as Argv<ServeArgs>,
  handler: handle<ServeArgs>(async (args) => {
    const { startServer } = await import('../../workflows/tuf/serve.js');
    const server = await startServer({
      dir: args.metadata,
      storeUrl: args.store,
      host: args.host,
      port: args.port,
      ...(args.debug ? { onRequest: (m: string, p: string, s: number) => process.stderr.write(`${s} ${m} ${p}\n`) } : {}),
    });
    if (args.json) process.stdout.write(JSON.stringify({ url: server.url, metadata: server.serving }) + '\n');
    else if (!args.quiet) process.stdout.write(`serving ${server.serving} read-only at ${server.url}/ (Ctrl-C stops)\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  }),
};

export default serve;
