#!/usr/bin/env node
/**
 * Writes docs/commands.md, the command reference, from the yargs definitions themselves: it runs the built
 * executable's `--help` (dist/src/cli/cnab-trust.cjs, what `npx cnab-trust` runs) for every command and subcommand,
 * found from each help's "Commands:" list, at a fixed width of 100 columns and in a scrubbed environment (no
 * CNAB_TRUST_* variables, C locale), so the output is the same on every machine.
 *
 *   npm run docs:commands               # rebuild, then rewrite docs/commands.md
 *   node scripts/command-reference.mjs --check   # exit 1 if docs/commands.md is not what the CLI prints now
 *
 * test/integration/docs/commands.test.ts runs the check, so the reference cannot drift from the CLI.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/src/cli/cnab-trust.cjs');
const output = path.join(root, 'docs/commands.md');
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', COLUMNS: '100', NO_COLOR: '1', LC_ALL: 'C', LANG: 'C' };

/** At most this many `--help` processes at once (the machine may be shared). */
const PARALLEL = 4;
let running = 0;
const waiting = [];
async function limited(fn) {
  if (running >= PARALLEL) await new Promise((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

async function help(words) {
  return limited(async () => {
    try {
      const { stdout } = await run(process.execPath, [cli, ...words, '--help'], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
      return stdout.trimEnd();
    } catch (e) {
      throw new Error(`cnab-trust ${[...words, '--help'].join(' ')} failed (run npm run build first?): ${e.stderr || e.message}`);
    }
  });
}

/** The subcommand words a help text lists under "Commands:" (`cnab-trust metadata rotate ...` -> `rotate`). */
function subcommands(text, words) {
  const block = /\nCommands:\n([\s\S]*?)(\n\n|$)/.exec(text);
  if (!block) return [];
  const prefix = ['cnab-trust', ...words].join(' ') + ' ';
  const out = [];
  for (const line of block[1].split('\n')) {
    const t = line.trim();
    if (!t.startsWith(prefix)) continue;
    const word = t.slice(prefix.length).split(/\s+/)[0];
    if (word && !word.startsWith('<') && !word.startsWith('[') && !out.includes(word)) out.push(word);
  }
  return out;
}

/** This command's help, then each subcommand's, depth first in the order the help lists them. */
async function walk(words, text) {
  const subs = subcommands(text, words);
  const texts = await Promise.all(subs.map((w) => help([...words, w])));
  const nested = await Promise.all(subs.map((w, i) => walk([...words, w], texts[i])));
  return [...(words.length > 0 ? [{ words, text }] : []), ...nested.flat()];
}

const anchor = (words) => words.join('-');

async function reference() {
  const top = await help([]);
  const sections = await walk([], top);
  let md = '# Command reference\n\n';
  md += 'Generated from the yargs definitions by `npm run docs:commands` (`scripts/command-reference.mjs`): each block is\n';
  md += "the command's `--help` at 100 columns. Do not edit by hand; a test fails when this file differs from the CLI.\n";
  md += 'Every command also takes `--json` (the full machine-readable report, or `{"error": ...}`), `--quiet` (nothing on\n';
  md += 'success), `--debug` (stack traces), `--help` and `--version` (`-V`). Help is wrapped to the terminal\'s width\n';
  md += '(`$COLUMNS` off a terminal), each example a `#` line and a command broken only between words; a mistyped flag gets\n';
  md += 'a did-you-mean (`--trust-root`: did you mean `--trusted-root`?). `cnab-trust completion bash` (or `zsh`) prints a\n';
  md += 'completion script: `source <(cnab-trust completion bash)`. `CNAB_TRUST_TRUSTED_ROOT` and `CNAB_TRUST_METADATA`\n';
  md += 'stand for `--trusted-root` and `--metadata` of `verify` and `tuf get` (a flag given wins), `CNAB_TRUST_PASSPHRASE`\n';
  md += 'for a key passphrase, `CNAB_TRUST_STORE` for `--store`. A list flag (`--layout-keys`) takes a comma list\n';
  md += '(`a.pub,b.pub`), space-separated values (`a.pub b.pub`) or the flag repeated, in every command; a positional\n';
  md += 'argument goes before it.\n\n';
  md += 'What the commands are for, in order of use: the guides for the [release engineer](guides/release-engineer.md),\n';
  md += 'the [operator](guides/operator.md), the [verifier](guides/verifier.md) and [CI](guides/ci.md). Error codes and exit\n';
  md += 'statuses: [errors.md](errors.md); the JSON reports: [report-schema.md](report-schema.md).\n\n';
  md += sections.map(({ words }) => `${'  '.repeat(words.length - 1)}- [\`${words.join(' ')}\`](#${anchor(words)})`).join('\n') + '\n\n';
  md += '## `cnab-trust`\n\n```text\n' + top + '\n```\n\n';
  for (const { words, text } of sections) {
    md += `<a id="${anchor(words)}"></a>\n\n## \`cnab-trust ${words.join(' ')}\`\n\n\`\`\`text\n${text}\n\`\`\`\n\n`;
  }
  return { md: md.trimEnd() + '\n', count: sections.length };
}

const { md, count } = await reference();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(output, 'utf8');
  } catch {
    // missing: differs
  }
  if (current !== md) {
    const a = current.split('\n');
    const b = md.split('\n');
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    console.error(`docs/commands.md is out of date with the CLI (first difference at line ${i + 1}):`);
    console.error(`  file: ${JSON.stringify(a[i] ?? '<end of file>')}`);
    console.error(`  CLI:  ${JSON.stringify(b[i] ?? '<end of file>')}`);
    console.error('Run `npm run docs:commands` and commit docs/commands.md.');
    process.exit(1);
  }
  console.log(`docs/commands.md is up to date (${count} commands)`);
} else {
  writeFileSync(output, md);
  console.log(`docs/commands.md: ${count} commands`);
}
