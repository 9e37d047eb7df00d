/**
 * The top-level words of the CLI, one module each in `commands/<word>.ts`. Listed here rather than read from the
 * directory at run time because the package runs the CLI from an esbuild bundle (scripts/bundle-cli.mjs), where
 * `commands/` is not a directory beside the code; `test/unit/cli/command-words.test.ts` keeps the list complete.
 */
export const COMMAND_WORDS = [
  'attest',
  'canonicalize',
  'digest',
  'export',
  'import',
  'init',
  'intoto',
  'layout',
  'link',
  'list',
  'metadata',
  'pipeline',
  'publish',
  'pull',
  'push',
  'relocate',
  'relocation',
  'serve',
  'sign',
  'status',
  'tuf',
  'validate',
  'verify',
] as const;
