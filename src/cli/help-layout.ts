/**
 * `--help` at the terminal's width. yargs lays an example out in two columns and cuts its command anywhere, even
 * inside a reference (`--trusted-r` / `oot`); here an example is its description as a `#` comment line, then the
 * command broken only between words, with a `\` continuation, so that it can be copied into a shell as it is.
 */

/** The width help is wrapped to: the terminal's columns, else $COLUMNS, else 100 (a pipe, a file). */
export function helpWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  if (stream.isTTY === true && stream.columns !== undefined && stream.columns > 0) return stream.columns;
  const fromEnv = Number(env['COLUMNS']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 100;
}

/**
 * Words of a command line, a flag kept with its value (`--metadata dir/`) so a line break never separates them.
 * Only for our own examples: split on spaces, no quoting.
 */
function units(command: string): string[] {
  const words = command.split(/ +/).filter((w) => w.length > 0);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if (w.startsWith('--') && !w.includes('=') && next !== undefined && !next.startsWith('-')) {
      out.push(`${w} ${next}`);
      i++;
    } else out.push(w);
  }
  return out;
}

/**
 * An example as lines no wider than `width` where possible: `# description` (over several `#` lines if need be),
 * then the command, continued with ` \` and a 4-space indent. A word wider than the line stays whole on its own.
 */
export function exampleLines(command: string, description: string, width: number): string[] {
  const lines: string[] = [];
  let comment = '';
  for (const w of description.split(/ +/).filter((x) => x.length > 0)) {
    if (comment !== '' && comment.length + 1 + w.length > width) {
      lines.push(comment);
      comment = '';
    }
    comment = comment === '' ? `# ${w}` : `${comment} ${w}`;
  }
  if (comment !== '') lines.push(comment);
  let line = '';
  for (const u of units(command)) {
    const candidate = line === '' ? u : `${line} ${u}`;
    // room for the ' \' that continues the line
    if (line !== '' && candidate.length + 2 > width) {
      lines.push(`${line} \\`);
      line = `    ${u}`;
    } else line = candidate;
  }
  if (line !== '') lines.push(line);
  return lines;
}

interface ExampleTarget {
  example(command: string, description: string): unknown;
}

/**
 * Make every `.example(cmd, description)` a command's builder registers on `parser` take the layout above. The
 * parser passes itself to each builder, so this one place covers every command. yargs pads examples by 2 columns
 * on each side, hence `width - 4`; a line that fits is printed as it is.
 */
export function layoutExamples<T extends ExampleTarget>(parser: T, width: number): T {
  const original = parser.example.bind(parser);
  parser.example = (command: string, description: string) => {
    const text = exampleLines(command.replace(/\$0/g, 'cnab-trust'), description ?? '', Math.max(20, width - 4));
    // one example per line: yargs (cliui) re-wraps a multi-line text at odd places
    for (const line of text) original(line, '');
    return parser;
  };
  return parser;
}
