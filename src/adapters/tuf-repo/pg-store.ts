/**
 * The TUF repository in PostgreSQL (`--store postgres://...`), for many signers on many machines.
 *
 * Tables (schema version in `cnab_trust_schema`, created and migrated by the tool):
 *   cnab_trust_repository  one row; writers lock it FOR SHARE (sign) or FOR UPDATE (every other change)
 *   cnab_trust_role        one row per role: its current version (the head); the row a writer locks to change it
 *   cnab_trust_metadata    every published version of every role, as signed bytes
 *   cnab_trust_target      target files, content-addressed (name, sha256)
 *   cnab_trust_state       the writer's private state (config.json, staged.json); never a private key
 *
 * Concurrency (READ COMMITTED, row locks; see README "Operating a shared repository"): a writer is one
 * transaction. `sign` takes the repository row FOR SHARE, so signers run side by side, then locks the rows of
 * the targets roles it changes (ordered by name, so no deadlock) and reads their heads; signers of different bins
 * do not wait for each other there. It then locks the snapshot and timestamp rows, reads their heads, builds and
 * signs the next snapshot (the current one plus its roles) and timestamp, writes, and commits: that step is
 * the only one signers of different bins share. Every other writer takes the repository row FOR UPDATE and is
 * alone. Nothing is visible before COMMIT, so a client or a `publish` never sees a timestamp naming a snapshot
 * that is not there, and a writer killed mid-way leaves nothing (PostgreSQL rolls its transaction back).
 */
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import pgpass from 'pgpass';
import type { Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';
import { CnabTrustError, isCnabTrustError } from '../../core/errors.js';
import { parseRoot, parseSnapshot, parseTargets, parseTimestamp } from '../../core/tuf/metadata-files.js';
import { roleFilePath, targetFilePath } from '../../core/tuf/naming.js';
import { repositoryPathSegments } from '../../core/tuf/repository-path.js';
import type { Publication, RepositoryStore, StoreFile, StoreTimings, WriteStats } from './repository-store.js';

/** The schema this version of cnab-trust writes. A database with a higher one was written by a newer tool. */
export const SCHEMA_VERSION = 1;

/** Migrations: MIGRATIONS[n] brings a database from schema n to n+1 (0: empty database). */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE cnab_trust_schema (version integer NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now());
   INSERT INTO cnab_trust_schema (version) VALUES (0);
   CREATE TABLE cnab_trust_repository (id boolean PRIMARY KEY DEFAULT true CHECK (id), created_at timestamptz NOT NULL DEFAULT now());
   INSERT INTO cnab_trust_repository DEFAULT VALUES;
   CREATE TABLE cnab_trust_role (role text PRIMARY KEY, version integer NOT NULL CHECK (version > 0));
   CREATE TABLE cnab_trust_metadata (role text NOT NULL, version integer NOT NULL, bytes bytea NOT NULL, PRIMARY KEY (role, version));
   CREATE TABLE cnab_trust_target (name text NOT NULL, sha256 text NOT NULL, bytes bytea NOT NULL, PRIMARY KEY (name, sha256));
   CREATE TABLE cnab_trust_state (name text PRIMARY KEY, bytes bytea NOT NULL);`,
];

/** Size bounds when reading our own repository back (as for the directory store). */
const MAX_ROOT = 512 * 1024;
const MAX_TIMESTAMP = 64 * 1024;
const MAX_SNAPSHOT = 128 * 1024 * 1024;
const MAX_TARGETS = 512 * 1024 * 1024;

/** How long a writer waits for a lock before E_TUF_LOCKED. */
const LOCK_TIMEOUT = '120s';

/**
 * Test-only: a named pipe; a writer about to COMMIT writes "paused" to it, then waits until it reads a line from
 * it. Lets tests kill a signer, or restart the server, at a known point inside the transaction.
 */
const PAUSE_ENV = 'CNAB_TRUST_TEST_PAUSE_BEFORE_COMMIT';

/** The parts of a connection URL that may be shown: never the password. */
export interface PgTarget {
  host: string;
  port: string;
  database: string;
  user: string;
}

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** Host, port, database and user of a URL (with libpq's environment defaults), for messages. */
export function pgTargetOf(url: string): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CnabTrustError('E_USAGE', 'the store URL is not a valid postgres:// URL', {
      subject: '--store',
      hint: 'postgres://USER@HOST:PORT/DATABASE (the password from PGPASSWORD or ~/.pgpass)',
    });
  }
  const q = u.searchParams;
  const dec = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return {
    host: dec(u.hostname) || q.get('host') || process.env.PGHOST || 'localhost',
    port: u.port || q.get('port') || process.env.PGPORT || '5432',
    database: dec(u.pathname.replace(/^\//, '')) || process.env.PGDATABASE || dec(u.username) || process.env.PGUSER || 'postgres',
    user: dec(u.username) || process.env.PGUSER || 'postgres',
  };
}

/** The URL without its password (and without query parameters, which may hold one). */
export function redactedUrl(url: string): string {
  const t = pgTargetOf(url);
  const host = t.host.includes(':') ? `[${t.host}]` : t.host.startsWith('/') ? '' : t.host;
  const socket = t.host.startsWith('/') ? `?host=${t.host}` : '';
  return `postgres://${encodeURIComponent(t.user)}@${host}${host === '' ? '' : ':' + t.port}/${encodeURIComponent(t.database)}${socket}`;
}

const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOENT']);

/** A typed error for what PostgreSQL (or the way to it) said; never the password (pg's messages carry none). */
export function storeError(e: unknown, t: PgTarget): CnabTrustError {
  if (isCnabTrustError(e)) return e;
  const err = e as { code?: string; message?: string };
  const code = typeof err.code === 'string' ? err.code : '';
  const msg = typeof err.message === 'string' ? err.message : String(e);
  const where = `database ${t.database} on ${t.host}:${t.port}`;
  if (code === '28P01' || code === '28000' || /password authentication|SASL|SCRAM/i.test(msg)) {
    return new CnabTrustError('E_STORE_AUTH', `PostgreSQL refused user ${t.user} for ${where}`, {
      subject: `${t.host}:${t.port}/${t.database}`,
      hint: 'the password comes from the URL, PGPASSWORD or ~/.pgpass (PGPASSFILE); check it there',
    });
  }
  if (code === '55P03') {
    return new CnabTrustError('E_TUF_LOCKED', `the repository in ${where} stayed locked by other writers for ${LOCK_TIMEOUT}`, {
      subject: `${t.host}:${t.port}/${t.database}`,
      hint: 'retry when the other writers are done (pg_stat_activity shows them)',
    });
  }
  if (code === '3D000') {
    return new CnabTrustError('E_STORE_UNAVAILABLE', `${where} does not exist`, {
      subject: `${t.host}:${t.port}/${t.database}`,
      hint: `create it (createdb ${t.database}), then cnab-trust init --store ...`,
    });
  }
  if (UNAVAILABLE_ERRNO.has(code) || code.startsWith('08') || code.startsWith('57P') || /Connection terminated|connection timeout|not queryable|terminating connection/i.test(msg)) {
    return new CnabTrustError('E_STORE_UNAVAILABLE', `PostgreSQL is unreachable: ${where} (${code || msg})`, {
      subject: `${t.host}:${t.port}/${t.database}`,
      hint: 'check that the server runs and the URL names it; nothing was published, so the command can be retried',
    });
  }
  return new CnabTrustError('E_IO', `PostgreSQL error on ${where}: ${msg}${code ? ` (${code})` : ''}`, {
    subject: `${t.host}:${t.port}/${t.database}`,
  });
}

type Queryable = pg.Pool | pg.PoolClient;

function pgpassLookup(t: PgTarget): Promise<string | undefined> {
  return new Promise((resolve) => pgpass({ host: t.host, port: t.port, database: t.database, user: t.user }, (pw) => resolve(pw)));
}

/** pg leaves the socket of a failed login open until the server times out; close it so the command can exit. */
class ClosingClient extends pg.Client {
  override connect(): Promise<pg.Client>;
  override connect(callback: (err: Error) => void): void;
  override connect(callback?: (err: Error) => void): Promise<pg.Client> | void {
    if (callback === undefined) return super.connect();
    super.connect((err: Error) => {
      if (err) (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      callback(err);
    });
  }
}

export class PgRepositoryStore implements RepositoryStore {
  readonly location: string;
  readonly target: PgTarget;
  readonly written: WriteStats = { files: 0, bytes: 0 };
  readonly timings: StoreTimings = {};
  readonly #pool: pg.Pool;
  #schema: 'absent' | 'current' | undefined;
  #tx: pg.PoolClient | undefined;
  #wrote = false;
  #onlineLockedAt: number | undefined;

  constructor(url: string, opts: { maxConnections?: number } = {}) {
    this.target = pgTargetOf(url);
    this.location = redactedUrl(url);
    const config = parseIntoClientConfig(url);
    const urlPassword = typeof config.password === 'string' && config.password !== '' ? config.password : undefined;
    delete config.password;
    const target = this.target;
    this.#pool = new pg.Pool({
      ...config,
      // Asked only when the server wants one: the URL's, else PGPASSWORD, else ~/.pgpass (PGPASSFILE) as libpq
      // looks it up. None: E_STORE_AUTH at once (pg would send none and wait for the server to time out).
      password: async () => {
        const found = urlPassword ?? (process.env.PGPASSWORD || undefined) ?? (await pgpassLookup(target));
        if (found === undefined) {
          throw new CnabTrustError('E_STORE_AUTH', `PostgreSQL asks a password of user ${target.user} for database ${target.database} on ${target.host}:${target.port}, and none is given`, {
            subject: `${target.host}:${target.port}/${target.database}`,
            hint: 'give it in PGPASSWORD or ~/.pgpass (PGPASSFILE), or in the URL',
          });
        }
        return found;
      },
      Client: ClosingClient as unknown as new () => pg.ClientBase,
      max: opts.maxConnections ?? 2,
      allowExitOnIdle: true,
      idleTimeoutMillis: 2000,
      connectionTimeoutMillis: 15000,
      application_name: 'cnab-trust',
    });
    // A connection the server closed (restart): the pool drops it, and the query in flight fails with
    // E_STORE_UNAVAILABLE; nothing to crash on.
    this.#pool.on('error', () => undefined);
    this.#pool.on('connect', (client) => client.on('error', () => undefined));
  }

  #fail(e: unknown): never {
    throw storeError(e, this.target);
  }

  async #query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], on?: Queryable): Promise<pg.QueryResult<R>> {
    try {
      return await (on ?? this.#tx ?? this.#pool).query<R>(sql, params);
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Read the schema version; refuse a newer one; `undefined` when the tables are not there. */
  async #schemaVersion(on?: Queryable): Promise<number | undefined> {
    const r = await this.#query<{ t: string | null }>(`SELECT to_regclass('cnab_trust_schema')::text AS t`, [], on);
    if (r.rows[0]?.t == null) return undefined;
    const v = await this.#query<{ version: number }>('SELECT max(version) AS version FROM cnab_trust_schema', [], on);
    const version = v.rows[0]?.version ?? 0;
    if (version > SCHEMA_VERSION) {
      throw new CnabTrustError('E_STORE_SCHEMA', `database ${this.target.database} has schema version ${version}; this cnab-trust knows up to ${SCHEMA_VERSION}`, {
        subject: `${this.target.host}:${this.target.port}/${this.target.database}`,
        hint: 'a newer cnab-trust wrote it: upgrade cnab-trust on this machine (the database is left as it is)',
        details: { schemaVersion: version, supported: SCHEMA_VERSION },
      });
    }
    return version;
  }

  /** Readers: is the schema there (and not newer than ours)? */
  async #ensureReadable(): Promise<boolean> {
    if (this.#schema === undefined) {
      const v = await this.#schemaVersion();
      if (v === undefined) return false;
      if (v < SCHEMA_VERSION) return false; // a writer migrates it
      this.#schema = 'current';
    }
    return this.#schema === 'current';
  }

  /** Writers: create or migrate the schema inside the writer's transaction (an advisory lock orders creators). */
  async #migrate(client: pg.PoolClient): Promise<void> {
    await this.#query(`SELECT pg_advisory_xact_lock(hashtext('cnab-trust schema'))`, [], client);
    const from = (await this.#schemaVersion(client)) ?? 0;
    for (let v = from; v < SCHEMA_VERSION; v++) {
      await this.#query(MIGRATIONS[v]!, [], client);
      await this.#query('UPDATE cnab_trust_schema SET version = $1, migrated_at = now()', [v + 1], client);
    }
    this.#schema = 'current';
  }

  async exists(): Promise<boolean> {
    if (!(await this.#ensureReadable())) return false;
    const r = await this.#query(`SELECT 1 FROM cnab_trust_role WHERE role = 'root'`);
    return r.rowCount === 1;
  }

  async requireExisting(): Promise<void> {
    if (!(await this.exists())) {
      throw new CnabTrustError('E_TUF_REPOSITORY', `no TUF repository in ${this.location}`, {
        subject: this.location,
        hint: 'create one with cnab-trust init --gun <gun> --store <url>',
      });
    }
  }

  async #readMetadata(role: string, version: number | undefined, maxBytes: number): Promise<Buffer> {
    if (!(await this.#ensureReadable())) await this.requireExisting();
    const r = await this.#query<{ version: number; size: number; bytes: Buffer | null }>(
      `SELECT m.version, octet_length(m.bytes) AS size, CASE WHEN octet_length(m.bytes) <= $3 THEN m.bytes END AS bytes
         FROM cnab_trust_metadata m
        WHERE m.role = $1 AND m.version = coalesce($2, (SELECT h.version FROM cnab_trust_role h WHERE h.role = $1))`,
      [role, version ?? null, maxBytes],
    );
    const row = r.rows[0];
    const name = roleFilePath(role, version);
    if (row === undefined) {
      if (role === 'root' && version === undefined) await this.requireExisting();
      throw new CnabTrustError('E_FILE_NOT_FOUND', `${name} is not in ${this.location}`, { subject: name });
    }
    if (row.bytes === null) {
      throw new CnabTrustError('E_FILE_TOO_LARGE', `${name} in ${this.location} has ${row.size} bytes, more than ${maxBytes}`, { subject: name });
    }
    return row.bytes;
  }

  async readRoot(version?: number): Promise<Metadata<Root>> {
    return parseRoot(await this.#readMetadata('root', version, MAX_ROOT), roleFilePath('root', version));
  }

  async readTimestamp(): Promise<Metadata<Timestamp>> {
    return parseTimestamp(await this.#readMetadata('timestamp', undefined, MAX_TIMESTAMP), 'timestamp.json');
  }

  async readSnapshot(version: number): Promise<Metadata<Snapshot>> {
    const rel = roleFilePath('snapshot', version);
    return parseSnapshot(await this.#readMetadata('snapshot', version, MAX_SNAPSHOT), rel);
  }

  async readTargetsRole(role: string, version: number): Promise<{ md: Metadata<Targets>; bytes: number }> {
    const rel = roleFilePath(role, version);
    const bytes = await this.#readMetadata(role, version, MAX_TARGETS);
    return { md: parseTargets(bytes, rel), bytes: bytes.length };
  }

  async readTargetFile(name: string, sha256: string, maxBytes: number): Promise<Buffer> {
    const r = await this.#query<{ size: number; bytes: Buffer | null }>(
      'SELECT octet_length(bytes) AS size, CASE WHEN octet_length(bytes) <= $3 THEN bytes END AS bytes FROM cnab_trust_target WHERE name = $1 AND sha256 = $2',
      [name, sha256, maxBytes],
    );
    const row = r.rows[0];
    if (row === undefined) throw new CnabTrustError('E_FILE_NOT_FOUND', `target ${name} is not in ${this.location}`, { subject: name });
    if (row.bytes === null) throw new CnabTrustError('E_FILE_TOO_LARGE', `target ${name} has ${row.size} bytes, more than ${maxBytes}`, { subject: name });
    return row.bytes;
  }

  // --- writing ---------------------------------------------------------------------------------------------

  async lock(mode: 'exclusive' | 'shared' = 'exclusive'): Promise<(keep?: boolean) => Promise<void>> {
    if (this.#tx !== undefined) throw new CnabTrustError('E_INTERNAL', 'the store is already locked by this process', { subject: this.location });
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      this.#fail(e);
    }
    try {
      await this.#query('BEGIN ISOLATION LEVEL READ COMMITTED', [], client);
      await this.#query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`, [], client);
      if (this.#schema !== 'current') await this.#migrate(client);
      await this.#query(`SELECT id FROM cnab_trust_repository FOR ${mode === 'shared' ? 'SHARE' : 'UPDATE'}`, [], client);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw e;
    }
    this.#tx = client;
    this.#wrote = false;
    this.#onlineLockedAt = undefined;
    return async (keep = true) => {
      if (this.#tx !== client) return;
      this.#tx = undefined;
      let broken = false;
      try {
        if (keep) {
          if (this.#wrote) await pauseForTests();
          await this.#query('COMMIT', [], client);
          if (this.#onlineLockedAt !== undefined) this.timings.onlineLockHeldMs = performance.now() - this.#onlineLockedAt;
        } else {
          await client.query('ROLLBACK').catch(() => undefined);
        }
      } catch (e) {
        broken = true;
        throw e;
      } finally {
        client.release(broken);
      }
    };
  }

  /** Under a shared lock: lock the rows of the roles this writer changes; their current versions. */
  async lockRoles(roles: string[]): Promise<Map<string, number>> {
    const sorted = [...new Set(roles)].sort();
    const r = await this.#query<{ role: string; version: number }>(
      'SELECT role, version FROM cnab_trust_role WHERE role = ANY($1) ORDER BY role FOR UPDATE',
      [sorted],
    );
    return new Map(r.rows.map((row) => [row.role, row.version]));
  }

  /** Lock snapshot and timestamp (the step all signers share) and read their current versions. */
  async lockOnline(): Promise<{ snapshot: Metadata<Snapshot>; timestamp: Metadata<Timestamp> }> {
    const asked = performance.now();
    const r = await this.#query<{ role: string; version: number }>(
      `SELECT role, version FROM cnab_trust_role WHERE role IN ('snapshot', 'timestamp') ORDER BY role FOR UPDATE`,
    );
    this.#onlineLockedAt = performance.now();
    this.timings.onlineLockWaitMs = this.#onlineLockedAt - asked;
    const v = new Map(r.rows.map((row) => [row.role, row.version]));
    const timestamp = parseTimestamp(await this.#readMetadata('timestamp', v.get('timestamp'), MAX_TIMESTAMP), 'timestamp.json');
    const snapshot = await this.readSnapshot(v.get('snapshot') ?? timestamp.signed.snapshotMeta.version);
    return { snapshot, timestamp };
  }

  async publish(p: Publication): Promise<void> {
    if (this.#tx === undefined) {
      const release = await this.lock('exclusive');
      try {
        await this.publish(p);
      } catch (e) {
        await release(false);
        throw e;
      }
      await release(true);
      return;
    }
    // One transaction: the order below is for readability; nothing is visible before COMMIT.
    for (const t of p.targetFiles ?? []) {
      await this.#query('INSERT INTO cnab_trust_target (name, sha256, bytes) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [t.name, t.sha256, Buffer.from(t.bytes)]);
      this.#count(t.bytes);
    }
    for (const r of p.targetsRoles ?? []) await this.#putRole(r.role, r.version, r.bytes);
    if (p.snapshot !== undefined) await this.#putRole('snapshot', p.snapshot.version, p.snapshot.bytes);
    if (p.timestamp !== undefined) {
      const version = (JSON.parse(Buffer.from(p.timestamp).toString('utf8')) as { signed: { version: number } }).signed.version;
      await this.#putRole('timestamp', version, p.timestamp);
    }
    if (p.root !== undefined) await this.#putRole('root', p.root.version, p.root.bytes);
  }

  async #putRole(role: string, version: number, bytes: Uint8Array): Promise<void> {
    const r = await this.#query('INSERT INTO cnab_trust_metadata (role, version, bytes) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      role,
      version,
      Buffer.from(bytes),
    ]);
    if (r.rowCount !== 1) {
      // Versions never repeat: a second init, or a writer that did not hold the role's lock, lost the race.
      throw new CnabTrustError('E_TUF_REPOSITORY', `${roleFilePath(role, version)} already exists in ${this.location}`, {
        subject: role,
        hint: role === 'root' && version === 1 ? 'the database already holds a repository (init runs once)' : 'another writer published it first; retry',
      });
    }
    await this.#query(
      'INSERT INTO cnab_trust_role (role, version) VALUES ($1, $2) ON CONFLICT (role) DO UPDATE SET version = EXCLUDED.version',
      [role, version],
    );
    this.#count(bytes);
  }

  #count(bytes: Uint8Array): void {
    this.#wrote = true;
    this.written.files++;
    this.written.bytes += bytes.length;
  }

  async writeTargetFiles(files: NonNullable<Publication['targetFiles']>): Promise<void> {
    await this.publish({ targetFiles: files });
  }

  // --- the writer's private state --------------------------------------------------------------------------

  stateLocation(name: string): string {
    return `${this.location} (state ${name})`;
  }

  async readState(name: string, maxBytes = 64 * 1024 * 1024): Promise<Buffer | undefined> {
    if (this.#tx === undefined && !(await this.#ensureReadable())) return undefined;
    const r = await this.#query<{ size: number; bytes: Buffer | null }>(
      'SELECT octet_length(bytes) AS size, CASE WHEN octet_length(bytes) <= $2 THEN bytes END AS bytes FROM cnab_trust_state WHERE name = $1',
      [name, maxBytes],
    );
    const row = r.rows[0];
    if (row === undefined) return undefined;
    if (row.bytes === null) throw new CnabTrustError('E_FILE_TOO_LARGE', `state ${name} has ${row.size} bytes, more than ${maxBytes}`, { subject: name });
    return row.bytes;
  }

  async writeState(name: string, bytes: Uint8Array | string): Promise<void> {
    await this.#inTransaction(async () => {
      await this.#query('INSERT INTO cnab_trust_state (name, bytes) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET bytes = EXCLUDED.bytes', [
        name,
        Buffer.from(bytes),
      ]);
      this.#wrote = true;
    });
  }

  async removeState(name: string): Promise<void> {
    await this.#inTransaction(async () => {
      await this.#query('DELETE FROM cnab_trust_state WHERE name = $1', [name]);
      this.#wrote = true;
    });
  }

  async #inTransaction(fn: () => Promise<void>): Promise<void> {
    if (this.#tx !== undefined) return fn();
    const release = await this.lock('exclusive');
    try {
      await fn();
    } catch (e) {
      await release(false);
      throw e;
    }
    await release(true);
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }

  // --- serving and publishing ------------------------------------------------------------------------------

  /**
   * The file a request path names, as a static server over a published copy would answer it: `timestamp.json`,
   * `root.json`, `N.<role>.json`, `targets/.../<sha256>.<name>`. Dot paths are absent, traversal is refused.
   */
  async resolveFile(urlPath: string): Promise<StoreFile> {
    let segments: string[];
    try {
      segments = repositoryPathSegments(urlPath);
    } catch (e) {
      if (isCnabTrustError(e)) return { kind: 'refused', reason: e.message };
      throw e;
    }
    if (segments.length === 0 || segments.some((s) => s.startsWith('.'))) return { kind: 'missing' };
    if (!(await this.#ensureReadable())) return { kind: 'missing' };
    const rel = segments.join('/');
    let bytes: Buffer | undefined;
    if (rel === 'timestamp.json' || rel === 'root.json') {
      const r = await this.#query<{ bytes: Buffer }>(
        'SELECT m.bytes FROM cnab_trust_metadata m JOIN cnab_trust_role h ON h.role = m.role AND h.version = m.version WHERE m.role = $1',
        [rel.slice(0, -'.json'.length)],
      );
      bytes = r.rows[0]?.bytes;
    } else if (segments[0] === 'targets' && segments.length >= 2 && /^[0-9a-f]{64}\./.test(segments.at(-1)!)) {
      const last = segments.at(-1)!;
      const name = [...segments.slice(1, -1), last.slice(65)].join('/');
      const r = await this.#query<{ bytes: Buffer }>('SELECT bytes FROM cnab_trust_target WHERE name = $1 AND sha256 = $2', [name, last.slice(0, 64)]);
      bytes = r.rows[0]?.bytes;
    }
    if (bytes === undefined) {
      const m = /^([1-9][0-9]{0,9})\.(.+)\.json$/.exec(rel);
      if (m !== null && m[2] !== 'timestamp') {
        const r = await this.#query<{ bytes: Buffer }>('SELECT bytes FROM cnab_trust_metadata WHERE role = $1 AND version = $2', [m[2], Number(m[1])]);
        bytes = r.rows[0]?.bytes;
      }
    }
    if (bytes === undefined) return { kind: 'missing' };
    const b = bytes;
    return { kind: 'file', path: rel, size: b.length, open: () => Readable.from([b]) };
  }

  /**
   * Every file of the repository as one consistent view (REPEATABLE READ), in the client-safe order: target
   * files, targets roles, snapshots, `N.root.json`, then `timestamp.json` and `root.json`.
   */
  async *files(): AsyncGenerator<{ path: string; bytes: Buffer; mutable: boolean }> {
    await this.requireExisting();
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      this.#fail(e);
    }
    try {
      await this.#query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', [], client);
      const targets = await this.#query<{ name: string; sha256: string }>('SELECT name, sha256 FROM cnab_trust_target ORDER BY name, sha256', [], client);
      for (const t of targets.rows) {
        const rel = targetFilePath(t.name, t.sha256); // refuses names that would climb out of the copy
        const bytes = (await this.#query<{ bytes: Buffer }>('SELECT bytes FROM cnab_trust_target WHERE name = $1 AND sha256 = $2', [t.name, t.sha256], client)).rows[0]!.bytes;
        yield { path: rel, bytes, mutable: false };
      }
      const roles = await this.#query<{ role: string; version: number }>(
        `SELECT role, version FROM cnab_trust_metadata
          ORDER BY CASE role WHEN 'snapshot' THEN 1 WHEN 'root' THEN 2 WHEN 'timestamp' THEN 3 ELSE 0 END, role, version`,
        [],
        client,
      );
      for (const r of roles.rows) {
        if (r.role === 'timestamp') continue;
        const bytes = (await this.#query<{ bytes: Buffer }>('SELECT bytes FROM cnab_trust_metadata WHERE role = $1 AND version = $2', [r.role, r.version], client)).rows[0]!.bytes;
        yield { path: roleFilePath(r.role, r.version), bytes, mutable: false };
      }
      for (const role of ['timestamp', 'root']) {
        const r = await this.#query<{ bytes: Buffer }>(
          'SELECT m.bytes FROM cnab_trust_metadata m JOIN cnab_trust_role h ON h.role = m.role AND h.version = m.version WHERE m.role = $1',
          [role],
          client,
        );
        yield { path: `${role}.json`, bytes: r.rows[0]!.bytes, mutable: true };
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }
}

/** Test-only pause before COMMIT (see PAUSE_ENV): say "paused" on the pipe, then wait for a line back. */
async function pauseForTests(): Promise<void> {
  const pipe = process.env[PAUSE_ENV];
  if (pipe === undefined || pipe === '') return;
  const w = await open(pipe, 'w');
  await w.write('paused\n');
  await w.close();
  const r = await open(pipe, 'r');
  try {
    await r.read(Buffer.alloc(64), 0, 64, null);
  } finally {
    await r.close();
  }
}
