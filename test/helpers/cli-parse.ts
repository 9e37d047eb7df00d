/**
 * A command module's own yargs builder (and its subcommands') run on an argument list with the handlers replaced:
 * the arguments the handler would get, after every coercion and check, or the usage error yargs reports (thrown as
 * an Error). For unit tests of flag parsing and checks; nothing of a workflow runs.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';

type Args = Record<string, unknown>;

/** `module`, its handler replaced by `seen`, and so every subcommand its builder declares. */
function stubbed(module: CommandModule, seen: (args: Args) => void): CommandModule {
  return {
    ...module,
    builder: (y: Argv) => {
      const command = y.command.bind(y) as (m: CommandModule) => Argv;
      (y as unknown as { command: (m: CommandModule) => Argv }).command = (sub) => command(stubbed(sub, seen));
      const build = module.builder;
      return (typeof build === 'function' ? build(y) : build === undefined ? y : y.options(build)) as Argv;
    },
    handler: (args) => seen(args as Args),
  };
}

export async function parseCommand(command: CommandModule, argv: string[]): Promise<Args> {
  let parsed: Args | undefined;
  await yargs(argv)
    .strict()
    .option('json', { type: 'boolean', default: false })
    .command(stubbed(command, (args) => (parsed = args)))
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseAsync();
  if (parsed === undefined) throw new Error('the handler was not reached');
  return parsed;
}
