/**
 * Signing in-toto metadata with the system `gpg`, as in-toto-run --gpg does (securesystemslib
 * gpg/functions.py create_signature: `gpg --detach-sign --digest-algo SHA256 --local-user KEYID [--homedir H]`, the
 * signable bytes on stdin). The detached signature gpg writes is turned into in-toto's GPG signature dict by
 * openpgp.js (`core/crypto/openpgp-signature.ts`). The private key stays in gpg (and its agent); nothing secret
 * passes through this process.
 */
import { spawn } from 'node:child_process';
import { CnabTrustError } from '../../core/errors.js';
import type { GpgSignature } from '../../core/crypto/gpg-verify.js';

const MAX_SIGNATURE_BYTES = 64 * 1024;

export interface GpgSignerOptions {
  /** The signing key: a keyid or fingerprint (hex, 8 to 40 digits), as securesystemslib's KEYID_SCHEMA asks. */
  keyid: string;
  /** The GnuPG home directory (default: gpg's, i.e. GNUPGHOME or ~/.gnupg). */
  home?: string;
  /** The gpg program (default `gpg`; securesystemslib reads it from GNUPG likewise). */
  program?: string;
}

function gpgError(message: string, hint?: string): CnabTrustError {
  return new CnabTrustError('E_KEY_INVALID', message, { subject: 'gpg', ...(hint === undefined ? {} : { hint }) });
}

function run(program: string, args: readonly string[], input: Uint8Array | undefined): Promise<{ status: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes <= MAX_SIGNATURE_BYTES) out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 8192) err += b.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? gpgError(`${program} is not installed`, 'install GnuPG (Debian: apt-get install gnupg)') : e),
    );
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr: err }));
    child.stdin.on('error', () => undefined); // gpg may exit before reading all input; its status says why
    child.stdin.end(input === undefined ? undefined : Buffer.from(input));
  });
}

export class GpgCommandSigner {
  readonly #o: GpgSignerOptions;

  constructor(o: GpgSignerOptions) {
    if (!/^[0-9a-fA-F]{8,40}$/.test(o.keyid)) {
      throw new CnabTrustError('E_USAGE', `--gpg takes a GPG keyid or fingerprint in hex, not '${o.keyid}'`, { subject: '--gpg' });
    }
    this.#o = o;
  }

  #args(rest: readonly string[]): string[] {
    return [...(this.#o.home === undefined ? [] : ['--homedir', this.#o.home]), ...rest];
  }

  /** Fail early (before a step runs) when gpg has no secret key for the keyid. */
  async check(): Promise<void> {
    const r = await run(this.#o.program ?? 'gpg', this.#args(['--batch', '--no-tty', '--with-colons', '--list-secret-keys', this.#o.keyid]), undefined);
    if (r.status !== 0) {
      throw gpgError(`gpg has no secret key ${this.#o.keyid}${this.#o.home === undefined ? '' : ` in ${this.#o.home}`}`, 'list the keys with gpg --list-secret-keys; give --gpg-home for another keyring');
    }
  }

  /**
   * A detached signature over `data`, as in-toto's GPG signature dict. Not in batch mode, as in-toto-run: a key with
   * a passphrase asks for it through gpg's agent (pinentry), never through this process.
   */
  async sign(data: Uint8Array): Promise<GpgSignature> {
    const r = await run(this.#o.program ?? 'gpg', this.#args(['--detach-sign', '--digest-algo', 'SHA256', '--local-user', this.#o.keyid]), data);
    if (r.status !== 0) throw gpgError(`gpg could not sign with ${this.#o.keyid} (exit ${String(r.status)}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
    const { gpgSignatureFromOpenPgp } = await import('../../core/crypto/openpgp-signature.js');
    return gpgSignatureFromOpenPgp(r.stdout, 'gpg --detach-sign');
  }
}
