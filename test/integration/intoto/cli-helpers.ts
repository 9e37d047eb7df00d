/** in-toto test helpers: the CLI run in a scratch directory, and key pairs written there. */
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { generateKey, type KeyKind } from '../../../src/core/crypto/keygen.js';
import { runCliIn } from '../../helpers/cli.js';

export { repoRoot } from '../../helpers/fixtures.js';

/** The CLI in `cwd`; status -1 when it was killed. */
export function runCli(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { status: number; stdout: string; stderr: string } {
  const r = runCliIn(cwd, args, env);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Write NAME (private) and NAME.pub key files of a new key of the given kind in `dir`; returns the keyid. */
export function writeKeyPair(dir: string, name: string, kind: KeyKind): string {
  const g = generateKey(kind, kind === 'rsa' ? 2048 : undefined);
  writeFileSync(path.join(dir, name), g.privateFile, { mode: 0o600 });
  writeFileSync(path.join(dir, `${name}.pub`), g.publicFile);
  return g.publicKey.keyid;
}
