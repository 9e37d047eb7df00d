/** Running the built CLI in a test: `node dist/src/cli/main.js ARGS` in a directory, with its status and output. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { generateKey, type KeyKind } from '../../../src/core/crypto/keygen.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const cli = path.join(repoRoot, 'dist/src/cli/main.js');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function runCli(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): CliResult {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, env, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Write NAME (private) and NAME.pub key files of a new key of the given kind in `dir`; returns the keyid. */
export function writeKeyPair(dir: string, name: string, kind: KeyKind): string {
  const g = generateKey(kind, kind === 'rsa' ? 2048 : undefined);
  writeFileSync(path.join(dir, name), g.privateFile, { mode: 0o600 });
  writeFileSync(path.join(dir, `${name}.pub`), g.publicFile);
  return g.publicKey.keyid;
}
