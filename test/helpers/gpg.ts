/**
 * A GnuPG keyring for a test, in a temporary GNUPGHOME (Debian's gnupg): keys made with `--quick-gen-key`,
 * optionally in the past (`--faked-system-time`) so that they have expired, signing subkeys, exports.
 * Passphrase-less keys; nothing touches the user's keyring or agent (the agent of this home is stopped on remove).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { makeTempDir } from './temp-dir.js';
import { repoRoot } from './fixtures.js';

/** Our python script that writes a layout with functionary keys from a GPG keyring (in-toto 1.3.1's own export). */
export const GPG_LAYOUT_PY = path.join(repoRoot, 'test/fixtures/intoto/gpg-layout.py');

/** Assert that a program run succeeded, with its output in the message. */
export function ok(r: { status: number; stdout: string; stderr: string }, what: string): void {
  assert.equal(r.status, 0, `${what}: ${r.stderr}${r.stdout}`);
}

export type GpgAlgo = 'rsa2048' | 'dsa2048' | 'ed25519';

export class GpgHome {
  readonly dir: string;
  readonly #tmp: ReturnType<typeof makeTempDir>;

  constructor() {
    this.#tmp = makeTempDir('cnab-trust-gnupg-');
    this.dir = path.join(this.#tmp.dir, 'home');
    mkdirSync(this.dir, { mode: 0o700 });
  }

  /** The environment for gpg and the python reference (GNUPGHOME), with a clean PATH. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: '/usr/bin:/bin', HOME: this.#tmp.dir, GNUPGHOME: this.dir, LC_ALL: 'C.UTF-8', TZ: 'UTC', ...extra };
  }

  gpg(args: readonly string[], input?: string | Buffer): Buffer {
    const r = spawnSync('gpg', ['--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
      env: this.env(),
      ...(input === undefined ? {} : { input }),
      maxBuffer: 16 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`gpg ${args.join(' ')} exited ${String(r.status)}: ${r.stderr.toString()}`);
    return r.stdout;
  }

  /** A new signing primary key; returns its fingerprint (uppercase, as gpg prints it). */
  generate(uid: string, algo: GpgAlgo, opts: { expire?: string; fakedTime?: string } = {}): string {
    const pre = opts.fakedTime === undefined ? [] : ['--faked-system-time', opts.fakedTime];
    this.gpg([...pre, '--quick-gen-key', uid, algo, 'sign', opts.expire ?? '1y']);
    return this.fingerprintOf(uid);
  }

  /** A new signing subkey of `fpr`; returns the subkey's fingerprint. */
  addSigningSubkey(fpr: string, algo: GpgAlgo, expire = '1y'): string {
    const before = new Set(this.subkeys(fpr));
    this.gpg(['--quick-add-key', fpr, algo, 'sign', expire]);
    return this.subkeys(fpr).find((s) => !before.has(s))!;
  }

  fingerprintOf(uid: string): string {
    const out = this.gpg(['--with-colons', '--list-keys', uid]).toString();
    return /^fpr:+([0-9A-F]{40}):/m.exec(out)![1]!;
  }

  subkeys(fpr: string): string[] {
    const out = this.gpg(['--with-colons', '--list-keys', fpr]).toString().split('\n');
    const subs: string[] = [];
    for (let i = 0; i < out.length; i++) if (out[i]!.startsWith('sub:')) subs.push(/^fpr:+([0-9A-F]{40}):/.exec(out[i + 1]!)![1]!);
    return subs;
  }

  exportArmored(fpr: string): Buffer {
    return this.gpg(['--armor', '--export', fpr]);
  }

  exportBinary(fpr: string): Buffer {
    return this.gpg(['--export', fpr]);
  }

  /** Run a python in-toto program (`/usr/bin/in-toto-run` etc.) with this keyring. */
  python(cwd: string, program: string, args: readonly string[], extraEnv: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
    const r = spawnSync(program.startsWith('/') ? program : `/usr/bin/${program}`, args, { cwd, env: this.env(extraEnv), encoding: 'utf8' });
    if (r.error) throw r.error;
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  remove(): void {
    spawnSync('gpgconf', ['--kill', 'all'], { env: this.env() });
    this.#tmp.remove();
  }
}
