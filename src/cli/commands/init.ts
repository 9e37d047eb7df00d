/**
 * `cnab-trust init --gun <gun>`: a new TUF repository (CNAB-Sec 301) with keys for every role.
 */
import type { Argv, CommandModule } from 'yargs';
import { storeOption } from '../store-flag.js';
import { handle, printResult, type OutputFlags } from '../output.js';

interface InitArgs extends OutputFlags {
  gun: string;
  metadata: string;
  store?: string;
  keys: string;
  'key-type': string;
  'root-keys'?: number;
  'root-threshold'?: number;
  'targets-keys'?: number;
  'targets-threshold'?: number;
  'releases-keys'?: number;
  'releases-threshold'?: number;
  'snapshot-keys'?: number;
  'snapshot-threshold'?: number;
  'timestamp-keys'?: number;
  'timestamp-threshold'?: number;
  'root-expiry'?: number;
  'targets-expiry'?: number;
  'releases-expiry'?: number;
  'snapshot-expiry'?: number;
  'timestamp-expiry'?: number;
  bins?: number;
  encrypt: boolean;
}

const ROLE_FLAGS = [
  ['root', 'root'],
  ['targets', 'targets'],
  ['releases', 'targets/releases'],
  ['snapshot', 'snapshot'],
  ['timestamp', 'timestamp'],
] as const;

const init: CommandModule<OutputFlags, InitArgs> = {
  command: 'init',
  describe: 'create a TUF repository for a bundle GUN: keys, root, targets, targets/releases, snapshot, timestamp',
  builder: (y) => {
    let a = (y as Argv<OutputFlags>)
      .option('gun', { type: 'string', demandOption: true, describe: 'the bundle repository, e.g. example.com/org/app' })
      .option('metadata', { type: 'string', default: 'metadata', describe: 'repository directory' })
      .option('store', storeOption)
      .option('keys', { type: 'string', default: 'keys', describe: 'key store directory (private keys 0600)' })
      .option('key-type', {
        type: 'string',
        default: 'ed25519',
        choices: ['ed25519', 'ecdsa-sha2-nistp256', 'rsassa-pss-sha256'],
        describe: 'key type of the generated keys',
      })
      .option('bins', { type: 'number', describe: 'TAP 15 succinct hashed bins under targets/releases (power of 2)' })
      .option('encrypt', {
        type: 'boolean',
        default: false,
        describe: 'encrypt private keys with a passphrase from CNAB_TRUST_PASSPHRASE or a terminal prompt',
      }) as Argv<OutputFlags>;
    for (const [flag, role] of ROLE_FLAGS) {
      a = a
        .option(`${flag}-keys`, { type: 'number', describe: `keys of ${role} (default 1)` })
        .option(`${flag}-threshold`, { type: 'number', describe: `signatures ${role} needs (default 1)` })
        .option(`${flag}-expiry`, { type: 'number', describe: `days ${role} metadata stays valid` }) as Argv<OutputFlags>;
    }
    return a
      .example('$0 init --gun example.com/org/app', 'metadata/ and keys/ with one ed25519 key per role')
      .example('$0 init --gun example.com/org/app --root-keys 2 --root-threshold 2 --bins 256', 'two-person root, hashed bins')
      .group(
        ROLE_FLAGS.flatMap(([f]) => [`${f}-keys`, `${f}-threshold`, `${f}-expiry`]),
        'Per role (root, targets, releases = targets/releases, snapshot, timestamp):',
      ) as unknown as Argv<InitArgs>;
  },
  handler: handle<InitArgs>(async (args) => {
    const { initRepository } = await import('../../workflows/tuf/init.js');
    const keyCounts: Record<string, number> = {};
    const thresholds: Record<string, number> = {};
    const expiryDays: Record<string, number> = {};
    for (const [flag, role] of ROLE_FLAGS) {
      const k = args[`${flag}-keys` as keyof InitArgs] as number | undefined;
      const t = args[`${flag}-threshold` as keyof InitArgs] as number | undefined;
      const e = args[`${flag}-expiry` as keyof InitArgs] as number | undefined;
      if (k !== undefined) keyCounts[role] = k;
      if (t !== undefined) thresholds[role] = t;
      if (e !== undefined) expiryDays[role] = e;
    }
    const report = await initRepository({
      gun: args.gun,
      metadataDir: args.metadata,
      storeUrl: args.store,
      keysDir: args.keys,
      keyType: args['key-type'] as 'ed25519',
      keyCounts,
      thresholds,
      expiryDays,
      ...(args.bins === undefined ? {} : { bins: args.bins }),
      encrypt: args.encrypt,
    });
    printResult(args, report, () =>
      [
        `initialized TUF repository for ${report.gun} in ${report.metadataDir} (keys in ${report.keysDir})`,
        ...report.roles.map((r) => `  ${r.role.padEnd(17)} threshold ${r.threshold} of ${r.keyids.map((k) => k.slice(0, 8)).join(', ')}`),
        ...(report.bins === undefined ? [] : [`  ${report.bins} hashed bins under targets/releases`]),
        report.metadataDir.startsWith('postgres://')
          ? 'pin 1.root.json (cnab-trust publish --to DIR writes it) as the trusted root of verifiers'
          : `pin ${report.metadataDir}/1.root.json as the trusted root of verifiers`,
      ].join('\n'),
    );
  }),
};

export default init;
