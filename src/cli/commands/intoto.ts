/**
 * `cnab-trust intoto <subcommand>`: in-toto supply-chain verification (CNAB-Sec 301/303).
 *
 *   intoto verify --layout root.layout --layout-keys K [K...] --links DIR [--no-inspections] [--json]
 *   intoto keygen NAME [--type ed25519|ecdsa|rsa]   (like in-toto-keygen: NAME private 0600, NAME.pub public)
 *
 * Lean start: only yargs and this file load before the handler; the verifier is imported inside it.
 */
import type { Argv, CommandModule } from 'yargs';
import { listOption } from '../list-flag.js';
import { handle, printResult, type OutputFlags } from '../output.js';

export interface VerifyArgs extends OutputFlags {
  layout: string;
  'layout-keys': string[];
  links: string;
  inspections: boolean;
  'sublayout-inspections': boolean;
  'inspection-timeout': number;
}

const verify: CommandModule<OutputFlags, VerifyArgs> = {
  command: 'verify',
  describe: 'verify a supply chain: layout signatures and expiry, links, thresholds, sublayouts, artifact rules, inspections',
  builder: (y: Argv<OutputFlags>) =>
    y
      .option('layout', { type: 'string', demandOption: true, describe: 'the signed root layout' })
      .option('layout-keys', { ...listOption('public key file(s) of the project owner(s); each must have signed the layout (type recognized from the file)'), demandOption: true })
      .option('links', { type: 'string', default: '.', describe: 'directory holding <step>.<keyid[:8]>.link files (and sublayout folders)' })
      .option('inspections', { type: 'boolean', default: true, describe: 'run the layout inspections (in a scratch copy of the current directory); --no-inspections skips them and their rules' })
      .option('sublayout-inspections', {
        type: 'boolean',
        default: false,
        describe: "also run the inspections of sublayouts (commands a step's functionary chose, not the layout owner)",
      })
      .option('inspection-timeout', { type: 'number', default: 60, describe: 'seconds an inspection may run' })
      .example('$0 intoto verify --layout root.layout --layout-keys alice.pub --links .', 'verify with the links in the current directory')
      .example('$0 intoto verify --layout root.layout --layout-keys alice.pub alice2.pub --links links/ --no-inspections --json', 'two owner keys, no inspections, JSON report') as Argv<VerifyArgs>,
  handler: (args: VerifyArgs) => verifyHandler(args),
};

/** The `intoto verify` handler, shared by the yargs command and the plain-flag fast path below. */
const verifyHandler = handle(async (args: VerifyArgs) => {
  const { intotoVerify } = await import('../../workflows/intoto/verify.js');
  const report = await intotoVerify({
    layout: args.layout,
    layoutKeys: args['layout-keys'],
    links: args.links,
    inspections: args.inspections,
    sublayoutInspections: args['sublayout-inspections'],
    inspectionTimeoutMs: Math.round(args['inspection-timeout'] * 1000),
    onWarning: (w) => {
      if (!args.json && !args.quiet) process.stderr.write(`warning: ${w}\n`);
    },
  });
  printResult(args, report, () => {
    const lines = [`in-toto verify: ${report.layout} (layout keys ${report.layoutKeys.map((k) => k.slice(0, 8)).join(', ')})`];
    for (const s of report.steps) lines.push(`  step ${s.name}: ${s.links.join(', ')}${s.sublayout ? ' (sublayout)' : ''}`);
    if (report.inspections.skipped) lines.push('  inspections: skipped (--no-inspections)');
    else if (report.inspections.ran.length > 0) lines.push(`  inspections: ${report.inspections.ran.join(', ')}`);
    if (report.verified) {
      lines.push('verdict: PASS');
    } else {
      const e = report.error!;
      lines.push(`verdict: FAIL error[${e.code}]: ${e.message}${e.subject !== undefined && !e.message.includes(e.subject) ? ` (${e.subject})` : ''}`);
    }
    return lines.join('\n');
  });
  if (!report.verified && args.quiet && !args.json) process.stderr.write(`error[${report.error!.code}]: ${report.error!.message}\n`);
  return report.verified ? 0 : 1;
});

/** Flags the fast path understands: name -> how it takes its value. */
const FAST_FLAGS: Record<string, 'string' | 'strings' | 'true' | 'false'> = {
  '--layout': 'string',
  '--layout-keys': 'strings',
  '--links': 'string',
  '--inspections': 'true',
  '--no-inspections': 'false',
  '--json': 'true',
  '--quiet': 'true',
  '--debug': 'true',
};

/**
 * Fast path for `cnab-trust intoto verify` (start-up counts: it is benchmarked as a whole process, ADR 0004): the arguments after
 * `intoto verify`, when they use only the plain forms `--layout F --layout-keys K [K...] [--links D]
 * [--[no-]inspections] [--json] [--quiet] [--debug]`, each flag at most once and no value starting with `-`,
 * become the handler's arguments without loading yargs (~30 ms). Anything else (help, `=` forms, comma lists,
 * unknown or repeated flags, a missing value or required flag) returns undefined and goes through yargs, which
 * gives the usual help and usage errors; so behaviour is the same either way.
 */
export function fastPath(rest: readonly string[]): (() => Promise<void>) | undefined {
  if (rest[0] !== 'verify') return undefined;
  const seen = new Set<string>();
  const args: VerifyArgs = { layout: '', 'layout-keys': [], links: '.', inspections: true, 'sublayout-inspections': false, 'inspection-timeout': 60, json: false, quiet: false, debug: false };
  let i = 1;
  while (i < rest.length) {
    const flag = rest[i++]!;
    const kind = FAST_FLAGS[flag];
    const name = flag.replace(/^--(no-)?/, '');
    if (kind === undefined || seen.has(name)) return undefined;
    seen.add(name);
    const isValue = (v: string | undefined): v is string => v !== undefined && v !== '' && !v.startsWith('-');
    if (kind === 'string') {
      const v = rest[i++];
      if (!isValue(v)) return undefined;
      if (name === 'layout') args.layout = v;
      else args.links = v;
    } else if (kind === 'strings') {
      while (isValue(rest[i])) args['layout-keys'].push(rest[i++]!);
      // a comma list (`a.pub,b.pub`) is left to yargs, whose coercion splits it (cli/list-flag.ts)
      if (args['layout-keys'].length === 0 || args['layout-keys'].some((k) => k.includes(','))) return undefined;
    } else {
      (args as unknown as Record<string, boolean>)[name] = kind === 'true';
    }
  }
  if (!seen.has('layout') || !seen.has('layout-keys')) return undefined;
  return () => verifyHandler(args);
}

interface KeygenArgs extends OutputFlags {
  name: string;
  type: 'ed25519' | 'ecdsa' | 'rsa';
  bits: number;
}

const keygen: CommandModule<OutputFlags, KeygenArgs> = {
  command: 'keygen <name>',
  describe: 'generate a key pair for layouts and links (files as in-toto-keygen writes them)',
  builder: (y: Argv<OutputFlags>) =>
    y
      .positional('name', { type: 'string', demandOption: true, describe: 'private key file; the public key goes to NAME.pub' })
      .option('type', { alias: 't', choices: ['ed25519', 'ecdsa', 'rsa'] as const, default: 'ed25519' as const, describe: 'key type' })
      .option('bits', { type: 'number', default: 3072, describe: 'RSA modulus size' })
      .example('$0 intoto keygen keys/alice --type rsa', 'keys/alice (PEM, 0600) and keys/alice.pub') as unknown as Argv<KeygenArgs>,
  handler: handle(async (args: KeygenArgs) => {
    const { intotoKeygen } = await import('../../workflows/intoto/keygen.js');
    const r = await intotoKeygen({ name: args.name, type: args.type, bits: args.bits });
    printResult(args, r, () => `key written: ${r.privateKey} (private, 0600) and ${r.publicKey}; ${r.keytype}/${r.scheme} keyid ${r.keyid}`);
    return 0;
  }),
};

const intoto: CommandModule<OutputFlags, OutputFlags> = {
  command: 'intoto',
  describe: 'in-toto supply chains: verify layouts and links',
  builder: (y: Argv<OutputFlags>) =>
    y.command(verify).command(keygen).demandCommand(1, 'name an intoto subcommand (verify, keygen)').example('$0 intoto verify --layout root.layout --layout-keys alice.pub', 'verify'),
  handler: () => undefined,
};

export default intoto;
