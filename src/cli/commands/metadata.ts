/**
 * `cnab-trust metadata <sign|export-staged|import|publish|discard|rotate|revoke|refresh|rebin|revoke-layout>`: threshold and offline
 * signing of staged changes, key rotation and revocation, renewal of the online roles.
 */
import type { Argv, CommandModule } from 'yargs';
import { storeOption } from '../store-flag.js';
import { handle, printResult, type OutputFlags } from '../output.js';

interface RepoArgs extends OutputFlags {
  metadata: string;
  store?: string;
  keys: string;
}

function repoOptions<T>(y: Argv<T>): Argv<T & RepoArgs> {
  return y
    .option('metadata', { type: 'string', default: 'metadata', describe: 'repository directory' })
    .option('store', storeOption)
    .option('keys', { type: 'string', default: 'keys', describe: 'key store directory' }) as Argv<T & RepoArgs>;
}

interface Requirement {
  role: string;
  against: string;
  signed: string[];
  threshold: number;
}

function stagedLines(r: { description: string; published: boolean; versions: Record<string, number>; requirements: Requirement[] }): string[] {
  if (r.published) return [`published ${r.description}: ${Object.entries(r.versions).map(([k, v]) => `${k} v${v}`).join(', ')}`];
  return [
    `staged, not published: ${r.description}`,
    ...r.requirements.map((q) => `  ${q.role} (${q.against}): ${q.signed.length}/${q.threshold} signatures`),
  ];
}

interface SignArgs extends RepoArgs {
  role: string;
  key: string;
  staged?: string;
}

const sign: CommandModule<OutputFlags, SignArgs> = {
  command: 'sign',
  describe: 'add one signature to a staged change (published once every threshold is met)',
  builder: (y) =>
    repoOptions(y as Argv<OutputFlags>)
      .option('role', { type: 'string', demandOption: true, describe: 'role to sign (root, targets, targets/releases, ...)' })
      .option('key', { type: 'string', demandOption: true, describe: 'private key file' })
      .option('staged', { type: 'string', describe: 'sign this exported staged-change file instead (no repository needed)' })
      .example('$0 metadata sign --role root --key keys/<keyid>.key', 'second root signature; publishes when complete')
      .example('$0 metadata sign --staged change.json --role root --key /media/token/bob.key', 'on another machine') as unknown as Argv<SignArgs>,
  handler: handle<SignArgs>(async (args) => {
    const { signStaged } = await import('../../workflows/tuf/metadata.js');
    const r = await signStaged({
      metadataDir: args.metadata,
      storeUrl: args.store,
      keysDir: args.keys,
      role: args.role,
      keyFile: args.key,
      ...(args.staged === undefined ? {} : { stagedFile: args.staged }),
    });
    printResult(args, r, () => [`signed ${args.role} with key ${r.keyid.slice(0, 8)}`, ...(r.file ? [`wrote ${r.file}`] : stagedLines(r))].join('\n'));
  }),
};

interface OutArgs extends RepoArgs {
  out: string;
}

const exportStaged: CommandModule<OutputFlags, OutArgs> = {
  command: 'export-staged',
  describe: 'write the staged change to a file to be signed on another machine',
  builder: (y) =>
    repoOptions(y as Argv<OutputFlags>)
      .option('out', { type: 'string', demandOption: true, describe: 'file to write' })
      .example('$0 metadata export-staged --out change.json', 'carry change.json to the other signer') as unknown as Argv<OutArgs>,
  handler: handle<OutArgs>(async (args) => {
    const { exportStaged: run } = await import('../../workflows/tuf/metadata.js');
    const r = await run({ metadataDir: args.metadata, storeUrl: args.store, keysDir: args.keys, out: args.out });
    printResult(args, r, () => `exported "${r.description}" to ${r.file}`);
  }),
};

interface FileArgs extends RepoArgs {
  file: string;
}

const importStaged: CommandModule<OutputFlags, FileArgs> = {
  command: 'import <file>',
  describe: 'merge the signatures of a staged-change file signed elsewhere; publish if complete',
  builder: (y) =>
    repoOptions(y as Argv<OutputFlags>)
      .positional('file', { type: 'string', demandOption: true })
      .example('$0 metadata import change.json', 'bring back the signed change') as unknown as Argv<FileArgs>,
  handler: handle<FileArgs>(async (args) => {
    const { importStaged: run } = await import('../../workflows/tuf/metadata.js');
    const r = await run({ metadataDir: args.metadata, storeUrl: args.store, keysDir: args.keys, file: args.file });
    printResult(args, r, () => [`imported ${r.added} signature(s)`, ...stagedLines(r)].join('\n'));
  }),
};

const publish: CommandModule<OutputFlags, RepoArgs> = {
  command: 'publish',
  describe: 'publish the staged change (E_TUF_THRESHOLD while a threshold is not met)',
  builder: (y) => repoOptions(y as Argv<OutputFlags>).example('$0 metadata publish', 'publish the staged change') as unknown as Argv<RepoArgs>,
  handler: handle<RepoArgs>(async (args) => {
    const { publishStagedChange } = await import('../../workflows/tuf/metadata.js');
    const r = await publishStagedChange({ metadataDir: args.metadata, storeUrl: args.store, keysDir: args.keys });
    printResult(args, r, () => stagedLines(r).join('\n'));
  }),
};

const discard: CommandModule<OutputFlags, RepoArgs> = {
  command: 'discard',
  describe: 'drop the staged change',
  builder: (y) => repoOptions(y as Argv<OutputFlags>).example('$0 metadata discard', 'drop it') as unknown as Argv<RepoArgs>,
  handler: handle<RepoArgs>(async (args) => {
    const { discardStagedChange } = await import('../../workflows/tuf/metadata.js');
    const r = await discardStagedChange({ metadataDir: args.metadata, storeUrl: args.store, keysDir: args.keys });
    printResult(args, r, () => `discarded: ${r.discarded}`);
  }),
};

interface RefreshArgs extends RepoArgs {
  role?: string[];
}

const refresh: CommandModule<OutputFlags, RefreshArgs> = {
  command: 'refresh',
  describe: 're-sign snapshot and timestamp with fresh expiry (cron or CI); --role renews others too',
  builder: (y) =>
    repoOptions(y as Argv<OutputFlags>)
      .option('role', { type: 'string', array: true, describe: 'also renew: targets/releases (and its bins), targets, root' })
      .example('$0 metadata refresh', 'run daily')
      .example('$0 metadata refresh --role targets/releases', 'monthly, when no bundle was signed') as unknown as Argv<RefreshArgs>,
  handler: handle<RefreshArgs>(async (args) => {
    const { refreshOnline } = await import('../../workflows/tuf/metadata.js');
    const r = await refreshOnline({ metadataDir: args.metadata, storeUrl: args.store, keysDir: args.keys, ...(args.role === undefined ? {} : { roles: args.role }) });
    printResult(args, r, () => `refreshed: ${Object.entries(r.versions).map(([k, v]) => `${k} v${v}`).join(', ')}`);
  }),
};

interface KeyArgs extends RepoArgs {
  role: string;
  generate?: number;
  'add-key'?: string[];
  'remove-keyid'?: string[];
  keyid?: string[];
  threshold?: number;
}

function keyChangeOptions(y: Argv<OutputFlags>): Argv<KeyArgs> {
  return repoOptions(y)
    .option('role', { type: 'string', demandOption: true, describe: 'root, targets, snapshot, timestamp or targets/releases' })
    .option('generate', { type: 'number', describe: 'generate N new keys for the role' })
    .option('add-key', { type: 'string', array: true, describe: 'public key file(s) to add to the role' })
    .option('threshold', { type: 'number', describe: 'new threshold of the role' }) as unknown as Argv<KeyArgs>;
}

async function runKeyChange(args: KeyArgs, mode: 'rotate' | 'revoke'): Promise<void> {
  const { changeRoleKeys } = await import('../../workflows/tuf/metadata.js');
  const removeKeyIds = mode === 'revoke' ? (args.keyid ?? []) : (args['remove-keyid'] ?? []);
  const r = await changeRoleKeys({
    metadataDir: args.metadata,
    storeUrl: args.store,
    keysDir: args.keys,
    role: args.role,
    ...(args.generate === undefined ? {} : { generate: args.generate }),
    ...(args['add-key'] === undefined ? {} : { addKeys: args['add-key'] }),
    removeKeyIds,
    replaceAll: mode === 'rotate' && removeKeyIds.length === 0 && args['add-key'] === undefined && args.generate === undefined,
    ...(args.threshold === undefined ? {} : { threshold: args.threshold }),
  });
  printResult(args, r, () =>
    [
      `${r.description}: +${r.added.map((k) => k.slice(0, 8)).join(', ') || 'none'} -${r.removed.map((k) => k.slice(0, 8)).join(', ') || 'none'}, threshold ${r.threshold}`,
      ...stagedLines(r),
    ].join('\n'),
  );
}

const rotate: CommandModule<OutputFlags, KeyArgs> = {
  command: 'rotate',
  describe: "rotate a role's keys (root: N+1.root.json signed by the old and the new root thresholds)",
  builder: (y) =>
    keyChangeOptions(y as Argv<OutputFlags>)
      .option('remove-keyid', { type: 'string', array: true, describe: 'keyid(s) to take out of the role' })
      .example('$0 metadata rotate --role timestamp', 'replace every timestamp key by a new one')
      .example('$0 metadata rotate --role root --generate 1 --remove-keyid <old>', 'replace one root key') as unknown as Argv<KeyArgs>,
  handler: handle<KeyArgs>((args) => runKeyChange(args, 'rotate')),
};

const revoke: CommandModule<OutputFlags, KeyArgs> = {
  command: 'revoke',
  describe: 'revoke a key of a role (a delegated key through a new targets version); the role is re-signed',
  builder: (y) =>
    keyChangeOptions(y as Argv<OutputFlags>)
      .option('keyid', { type: 'string', array: true, demandOption: true, describe: 'keyid(s) to revoke' })
      .example('$0 metadata revoke --role targets/releases --keyid <id> --generate 1', 'revoke a leaked release key') as unknown as Argv<KeyArgs>,
  handler: handle<KeyArgs>((args) => runKeyChange(args, 'revoke')),
};

interface RebinArgs extends RepoArgs {
  bins: number;
}

const rebin: CommandModule<OutputFlags, RebinArgs> = {
  command: 'rebin',
  describe: 'move the targets of a flat targets/releases into TAP 15 hashed bins (one sign then rewrites one bin)',
  builder: (y) =>
    repoOptions(y as Argv<OutputFlags>)
      .option('bins', { type: 'number', demandOption: true, describe: 'number of bins (a power of 2)' })
      .example('$0 metadata rebin --bins 1024', 'when a repository grows past a few thousand bundles') as unknown as Argv<RebinArgs>,
  handler: handle<RebinArgs>(async (args) => {
    const { rebinReleases } = await import('../../workflows/tuf/metadata.js');
    const r = await rebinReleases({ metadataDir: args.metadata, storeUrl: args.store, keysDir: args.keys, bins: args.bins });
    printResult(args, r, () => [`moved ${r.targets} target(s) into ${r.bins} bins`, ...stagedLines(r)].join('\n'));
  }),
};

interface RevokeLayoutArgs extends RepoArgs {
  layout: string;
}

const revokeLayout: CommandModule<OutputFlags, RevokeLayoutArgs> = {
  command: 'revoke-layout <layout>',
  describe: 'stop trusting a root layout (its sha256 or target name): releases bound to it fail verification; needs the targets key',
  builder: (y) =>
    repoOptions(y as Argv<OutputFlags>)
      .positional('layout', { type: 'string', demandOption: true, describe: 'sha256 of the layout (as in <gun>/in-toto-metadata/<sha256>.root.layout) or its target name' })
      .example('$0 metadata revoke-layout 3f5a...e1 --keys /media/offline-keys', 'after a layout key was compromised') as unknown as Argv<RevokeLayoutArgs>,
  handler: handle<RevokeLayoutArgs>(async (args) => {
    const { revokeLayout } = await import('../../workflows/tuf/metadata.js');
    const r = await revokeLayout({ metadataDir: args.metadata, keysDir: args.keys, layout: args.layout });
    printResult(args, r, () => stagedLines(r).join('\n'));
  }),
};

const metadata: CommandModule<OutputFlags, OutputFlags> = {
  command: 'metadata <command>',
  describe: 'TUF repository maintenance: staged signatures, key rotation and revocation, refresh',
  builder: (y) =>
    y
      .command(sign as unknown as CommandModule<OutputFlags, OutputFlags>)
      .command(exportStaged as unknown as CommandModule<OutputFlags, OutputFlags>)
      .command(importStaged as unknown as CommandModule<OutputFlags, OutputFlags>)
      .command(publish as unknown as CommandModule<OutputFlags, OutputFlags>)
      .command(discard as unknown as CommandModule<OutputFlags, OutputFlags>)
      .command(rotate as unknown as CommandModule<OutputFlags, OutputFlags>)
      .command(revoke as unknown as CommandModule<OutputFlags, OutputFlags>)
      .command(refresh as unknown as CommandModule<OutputFlags, OutputFlags>)
      .command(rebin as unknown as CommandModule<OutputFlags, OutputFlags>)
      .command(revokeLayout as unknown as CommandModule<OutputFlags, OutputFlags>)
      .demandCommand(1),
  handler: () => undefined,
};

export default metadata;
