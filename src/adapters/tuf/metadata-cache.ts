/**
 * The trusted-metadata cache of a TUF client, persistent by default (issue 11 item 10): without it every run
 * starts from the bootstrap root, and a forged snapshot listing an older `targets/releases` verifies an old
 * bundle (TUF 5.4.3 / 5.5.5 rollback checks compare with what the client trusted before; a fresh cache has
 * nothing to compare with).
 *
 *  - where: `$XDG_CACHE_HOME/cnab-trust/tuf/<repository>` (default `~/.cache`), `<repository>` a readable label of
 *    the repository location plus a hash of the location and of the bootstrap root (two roots for one URL never
 *    share trusted state);
 *  - atomic: every file is written to a temporary file and renamed into place (tuf-js writes in place);
 *  - concurrent verifiers: one at a time per cache directory (an exclusive lock file, waited for; a lock left by a
 *    process that is gone on this host is taken over).
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname, homedir } from 'node:os';
import path from 'node:path';
import { CnabTrustError } from '../../core/errors.js';
import { fsError } from '../fs/index.js';

/** The default cache directory of a repository (an http(s) URL or a directory) and the root the client starts from. */
export function defaultCacheDir(metadata: string, trustedRoot: Uint8Array, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME !== undefined && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(homedir(), '.cache');
  const location = /^https?:\/\//i.test(metadata) ? metadata.replace(/\/+$/, '') : path.resolve(metadata);
  const label = location.replace(/^https?:\/\//i, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(-48) || 'repository';
  const hash = createHash('sha256').update(location).update('\0').update(trustedRoot).digest('hex').slice(0, 16);
  return path.join(base, 'cnab-trust', 'tuf', `${label}-${hash}`);
}

export interface CacheLockOptions {
  /** How long to wait for another verifier to finish with the cache (ms, default 120 s). */
  waitMs?: number;
  /** Pause between attempts (ms, default 50). */
  pollMs?: number;
}

/**
 * Take the cache's lock, waiting while another live process holds it; returns the release function. A lock file
 * naming a process of this host that no longer exists is stale and removed.
 */
export async function lockCacheDir(dir: string, options: CacheLockOptions = {}): Promise<() => Promise<void>> {
  const file = path.join(dir, '.lock');
  // within one process the lock is shared (reentrant): clients of one command never wait for each other
  const held = heldHere.get(file);
  if (held !== undefined) {
    heldHere.set(file, held + 1);
    return releaseOnce(file);
  }
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  const me = `${process.pid} ${hostname()}`;
  for (;;) {
    try {
      const handle = await open(file, 'wx', 0o644);
      try {
        await handle.writeFile(me);
      } finally {
        await handle.close();
      }
      heldHere.set(file, 1);
      return releaseOnce(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(e, file, 'create');
    }
    if (await isStale(file)) {
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new CnabTrustError('E_TUF_LOCKED', `the TUF cache ${dir} is held by another verifier`, {
        subject: file,
        hint: 'wait for it to finish, use --no-cache for a one-shot run, or give another --cache',
      });
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
  }
}

/** Locks this process holds, and how many clients share each. */
const heldHere = new Map<string, number>();

function releaseOnce(file: string): () => Promise<void> {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    const n = (heldHere.get(file) ?? 1) - 1;
    if (n > 0) {
      heldHere.set(file, n);
      return;
    }
    heldHere.delete(file);
    // remove only our own lock
    if ((await readFile(file, 'utf8').catch(() => '')) === `${process.pid} ${hostname()}`) await unlink(file).catch(() => undefined);
  };
}

/** A lock whose holder is a process of this host that is gone (or an unreadable lock older than a minute). */
async function isStale(file: string): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return false; // released meanwhile: try again
  const m = /^(\d+) (.+)$/.exec(text);
  if (m === null) {
    const st = await stat(file).catch(() => undefined);
    return st !== undefined && Date.now() - st.mtimeMs > 60_000;
  }
  if (m[2] !== hostname()) return false;
  try {
    process.kill(Number(m[1]), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Create the cache directory (0700: what a client trusts is its own). */
export async function ensureCacheDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw fsError(e, dir, 'create directory');
  }
}
