/**
 * Temporary directories of this process (`$TMPDIR/cnab-trust-<kind>-<pid>-XXXXXX`): made and removed here, removed
 * too when the process is interrupted (SIGINT, SIGTERM, SIGHUP) or exits without removing them, and swept when a
 * later run finds one whose process is gone (a run killed with SIGKILL, or a crash of the machine).
 *
 * The CLI also points TMPDIR at a directory of its own run (`useRunTempDir`), so that what libraries create with
 * os.tmpdir() (tuf-js downloads into `$TMPDIR/XXXXXX`) goes there and is removed with it.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'cnab-trust-';
/** `cnab-trust-<kind>-<pid>-<random>`: the pid tells a later run whether the owner is still alive. */
const NAME = /^cnab-trust-[a-z-]+?-(\d+)-[A-Za-z0-9]{6}$/;
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const live = new Set<string>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', removeAllSync);
  for (const signal of SIGNALS) {
    process.once(signal, () => {
      removeAllSync();
      // die of the signal as if unhandled (exit status 128 + n), now that nothing is left behind
      process.kill(process.pid, signal);
    });
  }
}

function removeAllSync(): void {
  for (const dir of live) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort: a later run sweeps what is left
    }
  }
  live.clear();
}

function template(kind: string): string {
  return path.join(os.tmpdir(), `${PREFIX}${kind}-${process.pid}-`);
}

/**
 * Sweep what runs that are gone left in `$TMPDIR`, then make `$TMPDIR/cnab-trust-run-<pid>-XXXXXX` and point TMPDIR
 * (hence os.tmpdir()) of this process at it.
 */
export function useRunTempDir(): void {
  sweepStaleTempDirs();
  process.env['TMPDIR'] = makeTempDirSync('run');
}

/** Make a temporary directory for `kind` (e.g. 'tuf', 'archive'), removed on exit or interruption if not before. */
export async function makeTempDir(kind: string): Promise<string> {
  hook();
  const dir = await mkdtemp(template(kind));
  live.add(dir);
  return dir;
}

export function makeTempDirSync(kind: string): string {
  hook();
  const dir = mkdtempSync(template(kind));
  live.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  live.delete(dir);
}

export function removeTempDirSync(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}

function processGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Remove the temporary directories of cnab-trust runs that are gone (their pid no longer exists), owned by this
 * user. Directories of live processes (or of a pid reused since) are left alone. Never throws; returns how many
 * were removed.
 */
export function sweepStaleTempDirs(): number {
  let removed = 0;
  try {
    const tmp = os.tmpdir();
    const uid = process.getuid?.();
    for (const name of readdirSync(tmp)) {
      const m = NAME.exec(name);
      if (m === null || !processGone(Number(m[1]))) continue;
      const dir = path.join(tmp, name);
      try {
        const st = statSync(dir);
        if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
        rmSync(dir, { recursive: true, force: true });
        removed++;
      } catch {
        // another sweeper got there first, or it is not ours to remove
      }
    }
  } catch {
    // no temporary directory to read: nothing to sweep
  }
  return removed;
}
