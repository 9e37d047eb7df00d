/**
 * Where a key passphrase comes from: the environment variable `CNAB_TRUST_PASSPHRASE`, else a prompt on the
 * terminal (input not echoed). Never from argv, never logged. Without either, the command fails (E_PASSPHRASE)
 * instead of hanging, so CI runs stay non-interactive.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CnabTrustError } from '../../core/errors.js';

export const PASSPHRASE_ENV = 'CNAB_TRUST_PASSPHRASE';

export type PassphraseSource = (purpose: string, confirm?: boolean) => Promise<string>;

/** The default source: environment, then TTY prompt. */
export const defaultPassphraseSource: PassphraseSource = async (purpose, confirm = false) => {
  const env = process.env[PASSPHRASE_ENV];
  if (env !== undefined && env.length > 0) return env;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new CnabTrustError('E_PASSPHRASE', `a passphrase is needed to ${purpose}`, {
      subject: PASSPHRASE_ENV,
      hint: `set ${PASSPHRASE_ENV} or run on a terminal`,
    });
  }
  const first = await promptHidden(`Passphrase to ${purpose}: `);
  if (first.length === 0) throw new CnabTrustError('E_PASSPHRASE', 'empty passphrase', { subject: 'passphrase' });
  if (confirm && (await promptHidden('Repeat passphrase: ')) !== first) {
    throw new CnabTrustError('E_PASSPHRASE', 'the passphrases differ', { subject: 'passphrase' });
  }
  return first;
};

async function promptHidden(question: string): Promise<string> {
  process.stderr.write(question);
  // A sink that swallows the echo of what is typed.
  const mute = new Writable({ write: (_c, _e, cb) => cb() });
  const rl = createInterface({ input: process.stdin, output: mute, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
