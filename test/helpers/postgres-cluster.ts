/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temporary directory, `pg_ctl start` listening on
 * 127.0.0.1 (a free port) and a unix socket in that directory, password (SCRAM) authentication over TCP, and
 * `stop()` that shuts it down and removes the directory. PostgreSQL refuses to run as root, so as root the
 * server programs run as the unprivileged `postgres` user (Debian's package creates it) through `runuser`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PgCluster {
  /** postgres://USER:PASSWORD@127.0.0.1:PORT/DB (the test's own database, made at start). */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** A URL for another database of the cluster (created on demand with createDatabase). */
  urlFor(database: string, withPassword?: boolean): string;
  createDatabase(name: string): void;
  dropDatabase(name: string): void;
  /** Run SQL as the superuser (psql over the unix socket). */
  sql(database: string, statement: string): string;
  restart(): void;
  stop(): void;
}

/** The directory of Debian's newest installed PostgreSQL server programs. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const dir = path.join(root, v, 'bin');
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL server programs not found under /usr/lib/postgresql (apt-get install postgresql)');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPgCluster(opts: { fsync?: boolean } = {}): Promise<PgCluster> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-pg-'));
  const data = path.join(dir, 'data');
  const user = 'cnab';
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  const database = 'cnabtrust';
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (prog: string, args: string[]): string => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, prog), ...args]] : [path.join(bin, prog), args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: dir, env: { ...process.env, LC_ALL: 'C', PGPASSWORD: '' } });
    if (r.status !== 0) throw new Error(`${prog} failed (${r.status}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (asRoot) chownSync(pwfile, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), 0);
  run('initdb', ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync']);
  rmSync(pwfile);
  const port = await freePort();
  const options = [
    `-c listen_addresses=127.0.0.1`,
    `-c port=${port}`,
    `-c unix_socket_directories=${dir}`,
    `-c max_connections=100`,
    ...(opts.fsync === true ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ');
  const log = path.join(dir, 'server.log');
  const start = (): void => {
    run('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
  };
  start();
  const psql = (db: string, statement: string): string =>
    run('psql', ['-h', dir, '-p', String(port), '-U', user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-Atqc', statement]);
  psql('postgres', `CREATE DATABASE ${database}`);
  const host = '127.0.0.1';
  const urlFor = (db: string, withPassword = true): string =>
    `postgres://${user}${withPassword ? ':' + encodeURIComponent(password) : ''}@${host}:${port}/${db}`;
  let stopped = false;
  return {
    url: urlFor(database),
    host,
    port,
    user,
    password,
    database,
    urlFor,
    createDatabase: (name) => void psql('postgres', `CREATE DATABASE ${name}`),
    dropDatabase: (name) => void psql('postgres', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    sql: psql,
    restart: () => {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      start();
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '60', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
