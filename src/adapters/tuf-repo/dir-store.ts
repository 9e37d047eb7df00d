/**
 * The on-disk TUF repository (layout in metadata/README.md): reading the current metadata, writing a publication
 * in the safe order, the repository lock, and the writer's private state under `.cnab-trust/`.
 *
 * Write order (so a client never sees a file naming one that is not there yet): target files, targets and
 * delegated role files, `V.snapshot.json`, `timestamp.json`, then `N.root.json` and `root.json`. Every file is
 * written atomically (temp file in the same directory, fsync, rename).
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';
import { CnabTrustError, isCnabTrustError } from '../../core/errors.js';
import { onInterrupt } from '../process/interrupts.js';
import { currentHolder, describeHolder, holderIsGone, parseHolder } from '../process/liveness.js';
import { parseRoot, parseSnapshot, parseTargets, parseTimestamp } from '../../core/tuf/metadata-files.js';
import { roleFilePath, targetFilePath } from '../../core/tuf/naming.js';
import { fsError, readFileBounded, writeFileAtomic } from '../fs/index.js';
import type { LockMode, Publication, RepositoryStore, WriteStats } from './repository-store.js';

/** Size bounds when reading our own repository back (it is input like any other). */
const MAX_ROOT = 512 * 1024;
const MAX_TIMESTAMP = 64 * 1024;
const MAX_SNAPSHOT = 128 * 1024 * 1024;
const MAX_TARGETS = 512 * 1024 * 1024;

export const STATE_DIR = '.cnab-trust';

export type { Publication, WriteStats } from './repository-store.js';

/** A lock file's text (bounded: it is small), or undefined when there is none. */
function readLockFile(file: string): Promise<string | undefined> {
  return readFileBounded(file, { maxBytes: 4096, what: 'repository lock' }).then(
    (b) => b.toString('utf8'),
    () => undefined,
  );
}

export class DirRepositoryStore implements RepositoryStore {
  readonly dir: string;
  /** Bytes and files written since construction (for `bench/tuf-sign`). */
  readonly written: WriteStats = { files: 0, bytes: 0 };

  constructor(dir: string) {
    this.dir = dir;
  }

  get location(): string {
    return this.dir;
  }

  get stateDir(): string {
    return path.join(this.dir, STATE_DIR);
  }

  stateLocation(name: string): string {
    return path.join(this.stateDir, name);
  }

  async close(): Promise<void> {
    // nothing held open between calls
  }

  /** The root versions present (`N.root.json`), ascending. */
  async rootVersions(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw fsError(e, this.dir, 'list');
    }
    return names
      .map((n) => /^([1-9][0-9]{0,9})\.root\.json$/.exec(n)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  async exists(): Promise<boolean> {
    return (await this.rootVersions()).length > 0;
  }

  /** The repository must exist (E_TUF_REPOSITORY with a hint to run init). */
  async requireExisting(): Promise<void> {
    if (!(await this.exists())) {
      throw new CnabTrustError('E_TUF_REPOSITORY', `no TUF repository in ${this.dir}`, {
        subject: this.dir,
        hint: 'create one with cnab-trust init --gun <gun>',
      });
    }
  }

  async #read(rel: string, maxBytes: number): Promise<Buffer> {
    return readFileBounded(path.join(this.dir, rel), { maxBytes, what: 'TUF metadata' });
  }

  async readRoot(version?: number): Promise<Metadata<Root>> {
    const v = version ?? (await this.rootVersions()).at(-1);
    if (v === undefined) await this.requireExisting();
    const rel = roleFilePath('root', v);
    return parseRoot(await this.#read(rel, MAX_ROOT), rel);
  }

  async readTimestamp(): Promise<Metadata<Timestamp>> {
    return parseTimestamp(await this.#read('timestamp.json', MAX_TIMESTAMP), 'timestamp.json');
  }

  async readSnapshot(version: number): Promise<Metadata<Snapshot>> {
    const rel = roleFilePath('snapshot', version);
    return parseSnapshot(await this.#read(rel, MAX_SNAPSHOT), rel);
  }

  async readTargetsRole(role: string, version: number): Promise<{ md: Metadata<Targets>; bytes: number }> {
    const rel = roleFilePath(role, version);
    const bytes = await this.#read(rel, MAX_TARGETS);
    return { md: parseTargets(bytes, rel), bytes: bytes.length };
  }

  /** Write one repository file atomically (the one place files are written; tests observe the order here). */
  protected async writeRepositoryFile(rel: string, bytes: Uint8Array | string): Promise<void> {
    await writeFileAtomic(path.join(this.dir, rel), bytes, { mode: 0o644, mkdirs: true });
    this.written.files++;
    this.written.bytes += typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  }

  /** Write a publication in the safe order (see the module comment). */
  async publish(p: Publication): Promise<void> {
    for (const t of p.targetFiles ?? []) await this.writeRepositoryFile(targetFilePath(t.name, t.sha256), t.bytes);
    // Delegated roles before their delegators does not matter to clients (snapshot decides), but keep it stable.
    for (const r of p.targetsRoles ?? []) await this.writeRepositoryFile(roleFilePath(r.role, r.version), r.bytes);
    if (p.snapshot !== undefined) await this.writeRepositoryFile(roleFilePath('snapshot', p.snapshot.version), p.snapshot.bytes);
    if (p.timestamp !== undefined) await this.writeRepositoryFile('timestamp.json', p.timestamp);
    if (p.root !== undefined) {
      await this.writeRepositoryFile(roleFilePath('root', p.root.version), p.root.bytes);
      await this.writeRepositoryFile('root.json', p.root.bytes);
    }
  }

  /**
   * A staging copy: every published file hard-linked (copied across file systems) into `.cnab-trust/staging`, then
   * `p` written there in the safe order. Linked files are never changed in place (every write is a rename), so the
   * repository itself is untouched. One writer holds the lock, so one staging area at a time; a staging area left
   * by a killed writer is removed by the next.
   */
  async stage(p: Publication): Promise<{ location: string; drop(): Promise<void> }> {
    const dir = path.join(this.stateDir, 'staging');
    await rm(dir, { recursive: true, force: true });
    const copy = async (from: string, to: string): Promise<void> => {
      await mkdir(to, { recursive: true });
      for (const e of await readdir(from, { withFileTypes: true })) {
        if (from === this.dir && e.name === STATE_DIR) continue;
        const src = path.join(from, e.name);
        const dst = path.join(to, e.name);
        if (e.isDirectory()) await copy(src, dst);
        else if (e.isFile()) await link(src, dst).catch(() => copyFile(src, dst));
      }
    };
    try {
      await copy(this.dir, dir);
      await new DirRepositoryStore(dir).publish(p);
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw isCnabTrustError(e) ? e : fsError(e, dir, 'stage');
    }
    return { location: dir, drop: () => rm(dir, { recursive: true, force: true }) };
  }

  /** Store target files only (content-addressed, so harmless before they are signed: staged changes). */
  async writeTargetFiles(files: NonNullable<Publication['targetFiles']>): Promise<void> {
    await this.publish({ targetFiles: files });
  }

  async readTargetFile(name: string, sha256: string, maxBytes: number): Promise<Buffer> {
    return readFileBounded(path.join(this.dir, targetFilePath(name, sha256)), { maxBytes, what: 'target file' });
  }

  // --- the writer's private state --------------------------------------------------------------------------

  async readState(name: string, maxBytes = 64 * 1024 * 1024): Promise<Buffer | undefined> {
    try {
      return await readFileBounded(path.join(this.stateDir, name), { maxBytes, what: 'repository state' });
    } catch (e) {
      if (e instanceof CnabTrustError && e.code === 'E_FILE_NOT_FOUND') return undefined;
      throw e;
    }
  }

  async writeState(name: string, bytes: Uint8Array | string): Promise<void> {
    await writeFileAtomic(path.join(this.stateDir, name), bytes, { mode: 0o644, mkdirs: true });
  }

  async removeState(name: string): Promise<void> {
    await unlink(path.join(this.stateDir, name)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw fsError(e, name, 'remove');
    });
  }

  /**
   * Take the repository lock (one writer at a time). Fails at once with E_TUF_LOCKED when another signer holds
   * it; a lock left by a process that is gone (same host, pid not running or reused) is broken, with a notice.
   * The lock file records host, pid and start time. Returns the function that releases it; an interrupt
   * (Ctrl-C, SIGTERM) releases it too.
   */
  async lock(_mode: LockMode = 'exclusive', onNotice: (message: string) => void = () => undefined): Promise<() => Promise<void>> {
    const file = path.join(this.stateDir, 'lock');
    try {
      await mkdir(this.stateDir, { recursive: true });
    } catch (e) {
      throw fsError(e, this.stateDir, 'create directory');
    }
    const me = JSON.stringify(currentHolder()) + '\n';
    for (let attempt = 0; ; attempt++) {
      try {
        // the record is complete before the lock appears: written to a temporary file, then linked into place
        // (link fails if a lock exists), so no one ever reads a half-written holder
        await writeFileAtomic(`${file}.${process.pid}`, me, { mode: 0o644 });
        try {
          await link(`${file}.${process.pid}`, file);
        } finally {
          await unlink(`${file}.${process.pid}`).catch(() => undefined);
        }
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw isCnabTrustError(e) ? e : fsError(e, file, 'create');
        const text = await readLockFile(file);
        if (text === undefined && attempt < 3) continue; // released in between: try again
        const holder = text === undefined ? undefined : parseHolder(text);
        if (holder !== undefined && holderIsGone(holder) && attempt < 3 && (await this.#breakStale(file, text!))) {
          onNotice(`broke the stale repository lock ${file} of ${describeHolder(holder)}: that process is gone`);
          continue;
        }
        const who = holder === undefined ? (text ?? '').trim() : describeHolder(holder);
        throw new CnabTrustError('E_TUF_LOCKED', `the repository ${this.dir} is locked by another signer (${who})`, {
          subject: file,
          hint: `retry when it is done; if that process is not running (on another host it cannot be checked), delete ${file}`,
          details: { holder: holder ?? who },
        });
      }
    }
    const unregister = onInterrupt(() => {
      // synchronously, from the signal handler: only if the lock is still ours
      try {
        if (readFileSync(file, 'utf8').slice(0, 4096) === me) unlinkSync(file);
      } catch {
        // gone already
      }
    });
    return async () => {
      unregister();
      if ((await readLockFile(file)) === me) await unlink(file).catch(() => undefined);
    };
  }

  /**
   * Remove a stale lock whose content is `seen`: renamed aside first (only one breaker wins the rename), then
   * checked to be the stale one; a live lock taken in between is put back.
   */
  async #breakStale(file: string, seen: string): Promise<boolean> {
    const aside = `${file}.stale.${process.pid}`;
    try {
      await rename(file, aside);
    } catch {
      return true; // someone else moved it: try again to take it
    }
    const moved = await readLockFile(aside);
    if (moved !== seen) {
      await link(aside, file).catch(() => undefined); // a live holder's lock: put it back
      await unlink(aside).catch(() => undefined);
      return false;
    }
    await unlink(aside).catch(() => undefined);
    return true;
  }
}
