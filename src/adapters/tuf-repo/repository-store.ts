/**
 * What the repository engine (workflows/tuf-repository.ts) needs of the place a TUF repository lives: reading the
 * current metadata, writing a publication in the client-safe order, the repository lock, and the writer's
 * private state (config, staged change). The directory store (dir-store.ts) is the embedded default.
 */
import type { Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';

/** One publication: everything a change writes, in no particular order (the store orders it). */
export interface Publication {
  targetFiles?: { name: string; sha256: string; bytes: Uint8Array }[];
  targetsRoles?: { role: string; version: number; bytes: Uint8Array }[];
  snapshot?: { version: number; bytes: Uint8Array };
  timestamp?: Uint8Array;
  root?: { version: number; bytes: Uint8Array };
}

export interface WriteStats {
  files: number;
  bytes: number;
}

export interface RepositoryStore {
  /** Where the repository is, for messages and reports: a directory, or a URL without its password. */
  readonly location: string;
  /** Bytes and files written since the store was opened (for `bench/tuf-sign`). */
  readonly written: WriteStats;

  exists(): Promise<boolean>;
  /** The repository must exist (E_TUF_REPOSITORY with a hint to run init). */
  requireExisting(): Promise<void>;

  /** The newest root, or the given version. */
  readRoot(version?: number): Promise<Metadata<Root>>;
  readTimestamp(): Promise<Metadata<Timestamp>>;
  readSnapshot(version: number): Promise<Metadata<Snapshot>>;
  readTargetsRole(role: string, version: number): Promise<{ md: Metadata<Targets>; bytes: number }>;
  readTargetFile(name: string, sha256: string, maxBytes: number): Promise<Buffer>;

  /** Write a publication so that no client ever sees a file naming one not yet visible. */
  publish(p: Publication): Promise<void>;
  /** Store target files only (content-addressed, so harmless before they are signed: staged changes). */
  writeTargetFiles(files: NonNullable<Publication['targetFiles']>): Promise<void>;

  /** Where a piece of private state is kept, for messages. */
  stateLocation(name: string): string;
  readState(name: string, maxBytes?: number): Promise<Buffer | undefined>;
  writeState(name: string, bytes: Uint8Array | string): Promise<void>;
  removeState(name: string): Promise<void>;

  /**
   * Take the repository lock (one writer at a time). Fails with E_TUF_LOCKED when another writer holds it; returns
   * the function that releases it.
   */
  lock(): Promise<() => Promise<void>>;
  /** Let go of connections and handles (nothing to do for a directory). */
  close(): Promise<void>;
}
