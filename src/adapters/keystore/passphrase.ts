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

/**
 * Ask on the terminal without echo. EOF (Ctrl-D) or Ctrl-C ends the command with E_PASSPHRASE (Ctrl-C: exit 130,
 * as for SIGINT): readline in terminal mode turns Ctrl-C into its own 'SIGINT' event, and with no listener the
 * prompt only paused, so the process ended with status 0, having signed nothing.
 */
async function promptHidden(question: string): Promise<string> {
  // A sink that swallows the echo of what is typed.
  const mute = new Writable({ write: (_c, _e, cb) => cb() });
  const rl = createInterface({ input: process.stdin, output: mute, terminal: true });
  process.stderr.write(question); // once the terminal is in raw mode, so Ctrl-C and Ctrl-D reach the listeners below
  try {
    return await new Promise<string>((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void): void => {
        if (!settled) {
          settled = true;
          f();
        }
      };
      rl.question('', (answer) => settle(() => resolve(answer)));
      rl.on('SIGINT', () =>
        settle(() =>
          reject(
            new CnabTrustError('E_PASSPHRASE', 'the passphrase prompt was cancelled (Ctrl-C)', {
              subject: 'passphrase',
              hint: 'nothing was signed; run the command again',
              details: { interrupted: 'SIGINT' },
            }),
          ),
        ),
      );
      rl.on('close', () =>
        settle(() =>
          reject(
            new CnabTrustError('E_PASSPHRASE', 'no passphrase: the prompt got end of input (Ctrl-D)', {
              subject: 'passphrase',
              hint: `nothing was signed; type the passphrase, or set ${PASSPHRASE_ENV}`,
            }),
          ),
        ),
      );
    });
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
