/**
 * Splitting a command or a rule written as one string into words, as Python's `shlex.split` does in POSIX mode
 * (in-toto's layout API reads rules and commands given as strings that way): whitespace separates words,
 * single quotes keep everything literally, double quotes keep everything but `\"`, `\\`, `\$`, `` \` `` and
 * `\<newline>`, a backslash outside quotes escapes the next character. No variables, no globbing: nothing runs.
 */
export class ShellWordsError extends Error {}

export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ShellWordsError('no closing quotation');
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new ShellWordsError('no closing quotation');
        const d = text[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < n && '"\\$`\n'.includes(text[i + 1]!)) {
          word += text[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= n) throw new ShellWordsError('no escaped character');
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
