/**
 * `cnab-trust layout create <description.yaml|json> -o root.layout [--key K...]`
 * `cnab-trust layout sign root.layout --key K [--key K2] [--append] [-o out]`
 * `cnab-trust layout show root.layout [--layout-keys K.pub...]`
 *
 * The description format is documented in src/core/intoto/authoring/layout-description.ts and the README.
 */
import type { Argv, CommandModule } from 'yargs';
import { listOption } from '../list-flag.js';
import { handle, printResult, type OutputFlags } from '../output.js';

interface CreateArgs extends OutputFlags {
  description: string;
  output: string;
  key?: string[];
}
interface SignArgs extends OutputFlags {
  layout: string;
  key: string[];
  append: boolean;
  output?: string;
}
interface ShowArgs extends OutputFlags {
  layout: string;
  layoutKeys?: string[];
}

const create: CommandModule<OutputFlags, CreateArgs> = {
  command: 'create <description>',
  describe: 'write an in-toto root layout from a short YAML/JSON description (checked; errors name file:line)',
  builder: (y: Argv<OutputFlags>) =>
    y
      .positional('description', { type: 'string', demandOption: true, describe: 'layout description (.yaml or .json)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'layout file to write (e.g. root.layout)' })
      .option('key', { alias: 'k', type: 'array', string: true, describe: 'sign right away with these private key files' })
      .example('$0 layout create examples/intoto/layout.yaml -o root.layout', 'unsigned layout (then: layout sign)')
      .example('$0 layout create layout.yaml -o root.layout --key keys/owner', 'create and sign') as unknown as Argv<CreateArgs>,
  handler: handle(async (args: CreateArgs) => {
    const { layoutCreate, layoutText } = await import('../../workflows/intoto/layout.js');
    const s = await layoutCreate({ description: args.description, output: args.output, ...(args.key === undefined ? {} : { keys: args.key }) });
    printResult(args, s, () => `layout written: ${s.layout}\n${layoutText(s)}`);
    return 0;
  }),
};

const sign: CommandModule<OutputFlags, SignArgs> = {
  command: 'sign <layout>',
  describe: 'sign a layout with one or more private keys (replaces its signatures unless --append)',
  builder: (y: Argv<OutputFlags>) =>
    y
      .positional('layout', { type: 'string', demandOption: true, describe: 'layout file' })
      .option('key', { alias: 'k', type: 'array', string: true, demandOption: true, describe: 'private key file(s)' })
      .option('append', { alias: 'a', type: 'boolean', default: false, describe: 'keep the signatures already there' })
      .option('output', { alias: 'o', type: 'string', describe: 'write here instead of over the layout' })
      .example('$0 layout sign root.layout --key keys/alice --key keys/alice2', 'two signatures (verify with both public keys)') as unknown as Argv<SignArgs>,
  handler: handle(async (args: SignArgs) => {
    const { layoutSign } = await import('../../workflows/intoto/layout.js');
    const s = await layoutSign({ layout: args.layout, keys: args.key, append: args.append, ...(args.output === undefined ? {} : { output: args.output }) });
    printResult(args, s, () => `layout signed: ${s.layout} (signatures: ${s.signatures.map((x) => x.keyid.slice(0, 8)).join(', ')})`);
    return 0;
  }),
};

const show: CommandModule<OutputFlags, ShowArgs> = {
  command: 'show <layout>',
  describe: 'print what a layout says: expiry, steps, functionaries, thresholds, rules, inspections, signatures',
  builder: (y: Argv<OutputFlags>) =>
    y
      .positional('layout', { type: 'string', demandOption: true, describe: 'layout file' })
      .option('layout-keys', listOption('public keys whose signatures to check'))
      .example('$0 layout show root.layout --layout-keys keys/alice.pub', 'summary, with the signature of alice checked') as unknown as Argv<ShowArgs>,
  handler: handle(async (args: ShowArgs) => {
    const { layoutShow, layoutText } = await import('../../workflows/intoto/layout.js');
    const s = await layoutShow({ layout: args.layout, ...(args.layoutKeys === undefined ? {} : { layoutKeys: args.layoutKeys }) });
    printResult(args, s, () => layoutText(s));
    return 0;
  }),
};

const layout: CommandModule<OutputFlags, OutputFlags> = {
  command: 'layout',
  describe: 'in-toto root layouts: create from a short description, sign, show',
  builder: (y: Argv<OutputFlags>) => y.command(create).command(sign).command(show).demandCommand(1, 'name a layout subcommand (create, sign, show)'),
  handler: () => undefined,
};

export default layout;
