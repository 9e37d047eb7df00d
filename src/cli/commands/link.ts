/**
 * `cnab-trust link run --step NAME --key K [-m P...] [-p P...] -- CMD ARGS`   (like in-toto-run)
 * `cnab-trust link run --step NAME --gpg KEYID [--gpg-home DIR] ...`          (like in-toto-run --gpg)
 * `cnab-trust link record start --step NAME --key K [-m P...]`                (like in-toto-record start)
 * `cnab-trust link record stop  --step NAME --key K [-p P...]`                (like in-toto-record stop)
 *
 * Recording options shared by all three: --base-path, --exclude, --lstrip-paths, --normalize-line-endings.
 */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';
import type { LinkReport } from '../../workflows/intoto/link.js';
import type { RecordOptions } from '../../core/intoto/record/options.js';

interface RecordingArgs extends OutputFlags {
  step: string;
  key: string;
  basePath?: string;
  exclude?: string[];
  lstripPaths?: string[];
  normalizeLineEndings: boolean;
  metadataDirectory?: string;
}

interface RunArgs extends Omit<RecordingArgs, 'key'> {
  key?: string;
  gpg?: string;
  gpgHome?: string;
  materials?: string[];
  products?: string[];
  recordStreams: boolean;
  timeout?: number;
  '--'?: (string | number)[];
  _: (string | number)[];
}

function recordingOptions<T>(y: Argv<T>, keyRequired = true): Argv<T> {
  return y
    .option('step', { alias: 'n', type: 'string', demandOption: true, describe: 'step name (the link is <step>.<keyid[:8]>.link)' })
    .option('key', {
      alias: 'k',
      type: 'string',
      demandOption: keyRequired,
      describe: `private key file (securesystemslib JSON or PEM; encrypted: CNAB_TRUST_PASSPHRASE)${keyRequired ? '' : '; or --gpg'}`,
    })
    .option('base-path', { type: 'string', describe: 'record artifacts relative to this directory (not part of the recorded names)' })
    .option('exclude', { type: 'array', string: true, describe: 'gitwildmatch patterns not to record (replace the defaults *.link*, .git, *.pyc, *~)' })
    .option('lstrip-paths', { type: 'array', string: true, describe: 'prefixes stripped from recorded paths' })
    .option('normalize-line-endings', { type: 'boolean', default: false, describe: 'hash files with CRLF and CR turned into LF' })
    .option('metadata-directory', { alias: 'd', type: 'string', describe: 'directory for the link file (default: current directory)' }) as Argv<T>;
}

function recordOptionsOf(a: Omit<RecordingArgs, 'key'>): RecordOptions {
  return {
    ...(a.basePath === undefined ? {} : { basePath: a.basePath }),
    ...(a.exclude === undefined ? {} : { excludePatterns: a.exclude }),
    ...(a.lstripPaths === undefined ? {} : { lstripPaths: a.lstripPaths }),
    normalizeLineEndings: a.normalizeLineEndings,
  };
}

function summary(verb: string, r: LinkReport): string {
  const lines = [`${verb} ${r.link} (step '${r.step}', key ${r.keyid.slice(0, 8)}): ${r.materials} material(s), ${r.products} product(s)`];
  if (r.command.length > 0) lines.push(`  command: ${JSON.stringify(r.command)} returned ${r.returnValue ?? '?'}`);
  return lines.join('\n');
}

const run: CommandModule<OutputFlags, RunArgs> = {
  command: 'run',
  describe: 'record materials, run a command (no shell), record products and byproducts, write the signed link',
  builder: (y: Argv<OutputFlags>) =>
    recordingOptions(y, false)
      .option('gpg', { alias: 'g', type: 'string', describe: 'sign with the system gpg and this GPG keyid or fingerprint instead of --key (as in-toto-run --gpg)' })
      .option('gpg-home', { type: 'string', describe: 'GnuPG home directory for --gpg (default: GNUPGHOME or ~/.gnupg)' })
      .conflicts('key', 'gpg')
      .check((a) => {
        if (a['key'] === undefined && a['gpg'] === undefined) throw new Error('give --key (a key file) or --gpg (a GPG keyid)');
        return true;
      })
      .parserConfiguration({ 'populate--': true })
      .option('materials', { alias: 'm', type: 'array', string: true, describe: 'files or directories recorded before the command' })
      .option('products', { alias: 'p', type: 'array', string: true, describe: 'files or directories recorded after the command' })
      .option('record-streams', { type: 'boolean', default: true, describe: 'record stdout and stderr in the link (--no-record-streams: only the return value)' })
      .option('timeout', { type: 'number', describe: 'kill the command after this many seconds (default: no limit)' })
      .example('$0 link run --step package --key carl -m foo.py -p foo.tar.gz -- tar zcvf foo.tar.gz foo.py', 'writes package.<keyid8>.link')
      .example('$0 link run --step sign-off --key bob -m .', 'a step without a command')
      .example('$0 link run --step package --gpg 8E1F2C3D4B5A6978 -m foo.py -p foo.tar.gz -- tar zcvf foo.tar.gz foo.py', 'signed by gpg') as unknown as Argv<RunArgs>,
  handler: handle(async (args: RunArgs) => {
    const command = (args['--'] ?? []).map(String);
    const { linkRun } = await import('../../workflows/intoto/link.js');
    const r = await linkRun({
      step: args.step,
      ...(args.key === undefined ? {} : { key: args.key }),
      ...(args.gpg === undefined ? {} : { gpg: { keyid: args.gpg, ...(args.gpgHome === undefined ? {} : { home: args.gpgHome }) } }),
      record: recordOptionsOf(args),
      ...(args.metadataDirectory === undefined ? {} : { metadataDirectory: args.metadataDirectory }),
      ...(args.materials === undefined ? {} : { materials: args.materials }),
      ...(args.products === undefined ? {} : { products: args.products }),
      command,
      recordStreams: args.recordStreams,
      ...(args.timeout === undefined ? {} : { timeoutSeconds: args.timeout }),
    });
    if (r.returnValue !== undefined && r.returnValue !== 0 && !args.json) {
      process.stderr.write(`warning: the command returned ${r.returnValue}; the link records it (as in-toto-run does)\n`);
    }
    printResult(args, r, () => summary('link written:', r));
    return 0;
  }),
};

const start: CommandModule<OutputFlags, RecordingArgs & { materials?: string[] }> = {
  command: 'start',
  describe: 'record materials into a signed preliminary link .<step>.<keyid8>.link-unfinished',
  builder: (y: Argv<OutputFlags>) =>
    recordingOptions(y)
      .option('materials', { alias: 'm', type: 'array', string: true, describe: 'files or directories recorded as materials' })
      .example('$0 link record start --step write-code --key bob -m .', 'then work, then `link record stop`') as unknown as Argv<RecordingArgs & { materials?: string[] }>,
  handler: handle(async (args: RecordingArgs & { materials?: string[] }) => {
    const { linkRecordStart } = await import('../../workflows/intoto/link.js');
    const r = await linkRecordStart({ step: args.step, key: args.key, record: recordOptionsOf(args), ...(args.materials === undefined ? {} : { materials: args.materials }) });
    printResult(args, r, () => summary('preliminary link written:', r));
    return 0;
  }),
};

const stop: CommandModule<OutputFlags, RecordingArgs & { products?: string[] }> = {
  command: 'stop',
  describe: 'check the preliminary link, record products, write the signed <step>.<keyid8>.link',
  builder: (y: Argv<OutputFlags>) =>
    recordingOptions(y)
      .option('products', { alias: 'p', type: 'array', string: true, describe: 'files or directories recorded as products' })
      .example('$0 link record stop --step write-code --key bob -p foo.py', 'writes write-code.<keyid8>.link') as unknown as Argv<RecordingArgs & { products?: string[] }>,
  handler: handle(async (args: RecordingArgs & { products?: string[] }) => {
    const { linkRecordStop } = await import('../../workflows/intoto/link.js');
    const r = await linkRecordStop({
      step: args.step,
      key: args.key,
      record: recordOptionsOf(args),
      ...(args.metadataDirectory === undefined ? {} : { metadataDirectory: args.metadataDirectory }),
      ...(args.products === undefined ? {} : { products: args.products }),
    });
    printResult(args, r, () => summary('link written:', r));
    return 0;
  }),
};

const record: CommandModule<OutputFlags, OutputFlags> = {
  command: 'record',
  describe: 'record a step that is not one command: start (materials) ... stop (products)',
  builder: (y: Argv<OutputFlags>) => y.command(start).command(stop).demandCommand(1, 'name a record subcommand (start, stop)'),
  handler: () => undefined,
};

const link: CommandModule<OutputFlags, OutputFlags> = {
  command: 'link',
  describe: 'in-toto links: evidence that a supply-chain step happened (like in-toto-run / in-toto-record)',
  builder: (y: Argv<OutputFlags>) => y.command(run).command(record).demandCommand(1, 'name a link subcommand (run, record)'),
  handler: () => undefined,
};

export default link;
