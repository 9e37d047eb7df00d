/**
 * The TUF repository in PostgreSQL (`--store postgres://...`), against a real throwaway cluster the tests start
 * (Debian's postgresql: initdb + pg_ctl in a temporary directory, 127.0.0.1): init/sign/status/list through the
 * CLI, concurrent signer processes (16 x 50 into 64 bins, and with no bins), a signer killed inside its
 * transaction, the server restarted under a signer, publish and serve, and misuse (unreachable, wrong password,
 * newer schema, credentials only from URL / PGPASSWORD / .pgpass and never printed).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { repoRoot } from '../../helpers/paths.js';
import { cliMain } from '../../helpers/cli.js';
import { startPgCluster, type PgCluster } from '../../helpers/postgres-cluster.js';
import { initRepository } from '../../../src/workflows/tuf/init.js';
import { signBundle } from '../../../src/workflows/tuf/sign.js';
import { listBundles } from '../../../src/adapters/tuf-repo/bundle-list.js';
import { publishStore } from '../../../src/workflows/tuf/publish.js';
import { startRepositoryServer, startServer } from '../../../src/workflows/tuf/serve.js';
import { withTrustedRepository } from '../../../src/workflows/tuf/get.js';
import { PgRepositoryStore } from '../../../src/adapters/tuf-repo/pg-store.js';
import { GUN, pinnedBundle } from './helpers.js';

const signer = path.join(repoRoot, 'dist/test/helpers/pg-signer.js');
const PAUSE_ENV = 'CNAB_TRUST_TEST_PAUSE_BEFORE_COMMIT';

interface SignerLine {
  tag: string;
  role?: string;
  versions?: Record<string, number>;
  error?: string;
}

/** Run signer processes side by side; resolves with each one's exit status and JSON lines. */
function runSigners(n: number, args: (i: number) => string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; lines: SignerLine[]; stderr: string }[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) => {
      const child = spawn(process.execPath, [signer, ...args(i)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      return new Promise<{ status: number | null; lines: SignerLine[]; stderr: string }>((resolve) =>
        child.on('close', (status) => resolve({ status, lines: out.trim() === '' ? [] : out.trim().split('\n').map((l) => JSON.parse(l) as SignerLine), stderr: err })),
      );
    }),
  );
}

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Heads and every stored version of each role, read straight from the tables. */
function tables(pg: PgCluster, db: string): { heads: Map<string, number>; versions: Map<string, number[]>; targets: number } {
  const heads = new Map(
    pg
      .sql(db, 'SELECT role, version FROM cnab_trust_role')
      .trim()
      .split('\n')
      .map((l) => l.split('|'))
      .map(([r, v]) => [r!, Number(v)] as const),
  );
  const versions = new Map<string, number[]>();
  for (const l of pg.sql(db, 'SELECT role, version FROM cnab_trust_metadata ORDER BY role, version').trim().split('\n')) {
    const [r, v] = l.split('|');
    versions.set(r!, [...(versions.get(r!) ?? []), Number(v)]);
  }
  return { heads, versions, targets: Number(pg.sql(db, 'SELECT count(*) FROM cnab_trust_target').trim()) };
}

/** Versions strictly increase with no gap nor repeat, and the snapshot lists the head of every targets role. */
async function assertConsistent(pg: PgCluster, db: string, signs: number): Promise<void> {
  const { heads, versions } = tables(pg, db);
  for (const [role, vs] of versions) {
    assert.deepEqual(vs, Array.from({ length: vs.length }, (_, i) => i + 1), `${role}: versions 1..n`);
    assert.equal(heads.get(role), vs.at(-1), `${role}: head is the newest version`);
  }
  assert.equal(heads.get('snapshot'), 1 + signs, 'one snapshot per sign');
  assert.equal(heads.get('timestamp'), 1 + signs, 'one timestamp per sign');
  const store = new PgRepositoryStore(pg.urlFor(db));
  try {
    const ts = await store.readTimestamp();
    assert.equal(ts.signed.snapshotMeta.version, heads.get('snapshot'));
    const snap = await store.readSnapshot(ts.signed.snapshotMeta.version);
    let bumps = 0;
    for (const [role, v] of heads) {
      if (['root', 'snapshot', 'timestamp'].includes(role)) continue;
      assert.equal(snap.signed.meta[`${role}.json`]?.version, v, `snapshot lists ${role} v${v}`);
      bumps += v - 1;
    }
    assert.equal(bumps, signs, 'each sign wrote exactly one new targets role version');
  } finally {
    await store.close();
  }
}

describe('TUF repository in PostgreSQL (--store postgres://...)', function () {
  this.timeout(600000);
  let pg: PgCluster;
  let tmp: ReturnType<typeof makeTempDir>;
  let bundle: string;
  let dbs = 0;
  /** A fresh database of the cluster and a fresh key store. */
  const fresh = (): { db: string; url: string; keysDir: string } => {
    const db = `repo${++dbs}`;
    pg.createDatabase(db);
    return { db, url: pg.urlFor(db), keysDir: path.join(tmp.dir, `keys-${db}`) };
  };

  before(async () => {
    pg = await startPgCluster();
    tmp = makeTempDir('cnab-trust-pg-test-');
    bundle = pinnedBundle(tmp.dir);
  });
  after(() => {
    pg?.stop();
    tmp?.remove();
  });

  it('init, sign, status, list, publish through the CLI; the copy verifies with the tuf-js client', async () => {
    const { url, keysDir } = fresh();
    const init = cli(['init', '--gun', GUN, '--store', url, '--keys', keysDir, '--bins', '8', '--json']);
    assert.equal(init.status, 0, init.stderr);
    const sign = cli(['sign', bundle, '--ref', `${GUN}:1.0.0`, '--keys', keysDir, '--json'], { ...process.env, CNAB_TRUST_STORE: url });
    assert.equal(sign.status, 0, sign.stderr);
    const signed = JSON.parse(sign.stdout) as { versions: Record<string, number>; lockTimings: { onlineLockHeldMs: number } };
    assert.deepEqual([signed.versions.snapshot, signed.versions.timestamp], [2, 2]);
    assert.ok(signed.lockTimings.onlineLockHeldMs >= 0);
    const list = cli(['list', '--store', url, '--json']);
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual((JSON.parse(list.stdout) as { targets: { name: string }[] }).targets.map((t) => t.name), [`${GUN}:1.0.0`]);
    const status = cli(['status', '--store', url, '--keys', keysDir]);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /snapshot\s+v2/);
    for (const r of [init, sign, list, status]) assert.ok(!(r.stdout + r.stderr).includes(pg.password), 'the password is never printed');
    const out = path.join(tmp.dir, 'copy1');
    const pub = cli(['publish', '--store', url, '--to', out]);
    assert.equal(pub.status, 0, pub.stderr);
    assert.ok(!(pub.stdout + pub.stderr).includes(pg.password));
    const t = await withTrustedRepository({ trustedRoot: readFileSync(path.join(out, '1.root.json')), metadata: out }, (c) => c.getTarget(`${GUN}:1.0.0`));
    const target = (JSON.parse(sign.stdout) as { target: { length: number; hashes: { sha256: string } } }).target;
    assert.deepEqual([t.length, t.hashes.sha256], [target.length, target.hashes.sha256]);
  });

  for (const bins of [64, undefined]) {
    it(`16 signer processes x 50 bundles ${bins === undefined ? 'with no bins (targets/releases)' : `into ${bins} bins`}: all 800 present, versions consistent, tuf-js verifies`, async () => {
      const { db, url, keysDir } = fresh();
      await initRepository({ gun: GUN, storeUrl: url, keysDir, ...(bins === undefined ? {} : { bins }) });
      const runs = await runSigners(16, (i) => [url, keysDir, bundle, GUN, `s${i}`, '50']);
      for (const r of runs) assert.equal(r.status, 0, `signer: ${r.stderr} ${JSON.stringify(r.lines.at(-1))}`);
      const signed = runs.flatMap((r) => r.lines);
      assert.equal(signed.length, 800);
      // every snapshot version was made by exactly one sign: no version repeats
      const snaps = signed.map((l) => l.versions!.snapshot!).sort((a, b) => a - b);
      assert.deepEqual(snaps, Array.from({ length: 800 }, (_, i) => i + 2));
      await assertConsistent(pg, db, 800);
      const listed = await listBundles({ storeUrl: url });
      assert.equal(listed.targets.length, 800);
      const out = path.join(tmp.dir, `copy-${db}`);
      await publishStore({ storeUrl: url, to: out });
      const names = signed.map((l) => `${GUN}:${l.tag}`);
      const found = await withTrustedRepository({ trustedRoot: readFileSync(path.join(out, '1.root.json')), metadata: out }, async (c) => {
        const got = [];
        for (const n of names) got.push(await c.getTarget(n));
        return got;
      });
      assert.equal(found.length, 800);
      const listedByName = new Map(listed.targets.map((t) => [t.name, t]));
      for (const t of found) assert.deepEqual([t.length, t.hashes.sha256], [listedByName.get(t.name)!.length, listedByName.get(t.name)!.sha256]);
    });
  }

  it('kill -9 of a signer inside its transaction (before COMMIT) leaves no partial state; the next sign continues the versions', async () => {
    const { db, url, keysDir } = fresh();
    await initRepository({ gun: GUN, storeUrl: url, keysDir, bins: 4 });
    await signBundle({ storeUrl: url, keysDir, input: bundle, ref: `${GUN}:before` });
    const before = tables(pg, db);
    const pipe = path.join(tmp.dir, `pause-${db}`);
    execFileSync('mkfifo', [pipe]);
    const child = spawn(process.execPath, [signer, url, keysDir, bundle, GUN, 'killed', '1'], { env: { ...process.env, [PAUSE_ENV]: pipe }, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // the signer has written its bin, snapshot and timestamp and waits before COMMIT
    const r = await open(pipe, 'r');
    assert.equal((await r.readFile('utf8')).trim(), 'paused');
    await r.close();
    assert.deepEqual(tables(pg, db), before, 'nothing is visible before COMMIT');
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.deepEqual(tables(pg, db), before, 'nothing left after the kill');
    assert.deepEqual((await listBundles({ storeUrl: url })).targets.map((t) => t.tag), ['before']);
    // its locks went with its connection: the next signer is not blocked, and versions have no gap
    const next = await signBundle({ storeUrl: url, keysDir, input: bundle, ref: `${GUN}:after` });
    assert.equal(next.versions.snapshot, before.heads.get('snapshot')! + 1);
    assert.equal(next.versions.timestamp, before.heads.get('timestamp')! + 1);
    await assertConsistent(pg, db, 2);
  });

  it('PostgreSQL restarted under a signer: E_STORE_UNAVAILABLE, nothing published, and the retry succeeds', async () => {
    const { db, url, keysDir } = fresh();
    await initRepository({ gun: GUN, storeUrl: url, keysDir });
    const before = tables(pg, db);
    const pipe = path.join(tmp.dir, `restart-${db}`);
    execFileSync('mkfifo', [pipe]);
    const run = runSigners(1, () => [url, keysDir, bundle, GUN, 'restart', '1'], { ...process.env, [PAUSE_ENV]: pipe });
    const r = await open(pipe, 'r');
    assert.equal((await r.readFile('utf8')).trim(), 'paused');
    await r.close();
    pg.restart();
    const w = await open(pipe, 'w');
    await w.write('go\n');
    await w.close();
    const [res] = await run;
    assert.equal(res!.status, 3);
    assert.equal(res!.lines[0]!.error, 'E_STORE_UNAVAILABLE');
    assert.deepEqual(tables(pg, db), before);
    // the same sign again, through the CLI: exit 0
    const again = cli(['sign', bundle, '--ref', `${GUN}:restart-0`, '--store', url, '--keys', keysDir]);
    assert.equal(again.status, 0, again.stderr);
    await assertConsistent(pg, db, 1);
  });

  it('a second init on the same database is refused (E_TUF_REPOSITORY), the first repository untouched', async () => {
    const { db, url, keysDir } = fresh();
    assert.equal(cli(['init', '--gun', GUN, '--store', url, '--keys', keysDir]).status, 0);
    const before = tables(pg, db);
    const second = cli(['init', '--gun', GUN, '--store', url, '--keys', `${keysDir}-2`]);
    assert.equal(second.status, 2, second.stderr);
    assert.match(second.stderr, /^error\[E_TUF_REPOSITORY\]: a TUF repository already exists in postgres:\/\/cnab@127\.0\.0\.1:\d+\/repo\d+/);
    assert.deepEqual(tables(pg, db), before);
  });

  it('serve --store postgres:// answers the same bytes as serve of the published directory, and tuf-js reads it', async () => {
    const { url, keysDir } = fresh();
    await initRepository({ gun: GUN, storeUrl: url, keysDir, bins: 4 });
    let last;
    for (const tag of ['1.0.0', '1.1.0', '2.0.0']) last = await signBundle({ storeUrl: url, keysDir, input: bundle, ref: `${GUN}:${tag}` });
    const dir = path.join(tmp.dir, 'served');
    await publishStore({ storeUrl: url, to: dir });
    const fromDir = await startRepositoryServer({ dir });
    const fromPg = await startServer({ dir: '/nonexistent', storeUrl: url });
    try {
      const files: string[] = [];
      const walk = (d: string, rel: string): void => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) walk(path.join(d, e.name), `${rel}${e.name}/`);
          else files.push(`${rel}${e.name}`);
        }
      };
      walk(dir, '');
      assert.ok(files.includes('timestamp.json') && files.includes('4.snapshot.json'));
      const odd = ['', 'nope.json', '.cnab-trust/config.json', '1.targets%2Freleases.json', '%2E%2E/x', 'targets/', 'targets', '0.root.json', '1.timestamp.json', 'targets/../1.root.json'];
      for (const p of [...files.map((f) => f.split('/').map(encodeURIComponent).join('/')), ...odd]) {
        const a = await fetch(`${fromDir.url}/${p}`);
        const b = await fetch(`${fromPg.url}/${p}`);
        assert.equal(b.status, a.status, p);
        assert.deepEqual(Buffer.from(await b.arrayBuffer()), Buffer.from(await a.arrayBuffer()), p);
      }
      const t = await withTrustedRepository({ trustedRoot: readFileSync(path.join(dir, '1.root.json')), metadata: fromPg.url }, (c) => c.getTarget(`${GUN}:2.0.0`));
      assert.equal(t.hashes.sha256, last!.target.hashes.sha256);
    } finally {
      await fromDir.close();
      await fromPg.close();
    }
  });

  it('publish writes targets and snapshots before timestamp.json, and a second publish rewrites only what changed', async () => {
    const { url, keysDir } = fresh();
    await initRepository({ gun: GUN, storeUrl: url, keysDir });
    await signBundle({ storeUrl: url, keysDir, input: bundle, ref: `${GUN}:1.0.0` });
    const store = new PgRepositoryStore(url);
    const order: string[] = [];
    try {
      for await (const f of store.files!()) order.push(f.path);
    } finally {
      await store.close();
    }
    const at = (p: string): number => order.indexOf(p);
    assert.ok(at('2.snapshot.json') >= 0 && at('timestamp.json') > at('2.snapshot.json'));
    assert.ok(order.filter((p) => p.startsWith('targets/')).every((p) => order.indexOf(p) < at('2.snapshot.json')), order.join(' '));
    assert.equal(order.at(-2), 'timestamp.json');
    assert.equal(order.at(-1), 'root.json');
    const out = path.join(tmp.dir, 'pub-order');
    const first = await publishStore({ storeUrl: url, to: out });
    await signBundle({ storeUrl: url, keysDir, input: bundle, ref: `${GUN}:1.1.0` });
    const second = await publishStore({ storeUrl: url, to: out });
    assert.equal(second.unchanged, first.written - 2, 'every versioned file of the first copy kept');
    assert.equal(second.timestampVersion, 3);
  });

  it('threshold signing: a sign missing a targets/releases signature is staged in the database, metadata sign publishes it', () => {
    const { db, url, keysDir } = fresh();
    const init = cli(['init', '--gun', GUN, '--store', url, '--keys', keysDir, '--releases-keys', '2', '--releases-threshold', '2', '--json']);
    assert.equal(init.status, 0, init.stderr);
    const releases = (JSON.parse(init.stdout) as { roles: { role: string; keyids: string[] }[] }).roles.find((r) => r.role === 'targets/releases')!;
    const away = path.join(tmp.dir, `${releases.keyids[1]}.key`);
    renameSync(path.join(keysDir, `${releases.keyids[1]}.key`), away);
    const before = tables(pg, db);
    const staged = cli(['sign', bundle, '--ref', `${GUN}:1.0.0`, '--store', url, '--keys', keysDir]);
    assert.equal(staged.status, 1, staged.stderr);
    assert.match(staged.stderr, /^error\[E_TUF_STAGED\]/);
    assert.deepEqual(tables(pg, db).heads, before.heads, 'nothing published');
    assert.match(pg.sql(db, 'SELECT name FROM cnab_trust_state ORDER BY name'), /staged\.json/);
    const status = cli(['status', '--store', url, '--keys', keysDir]);
    assert.match(status.stdout, /a change is staged/);
    const done = cli(['metadata', 'sign', '--role', 'targets/releases', '--key', away, '--store', url, '--keys', keysDir]);
    assert.equal(done.status, 0, done.stderr);
    const list = cli(['list', '--store', url, '--json']);
    assert.deepEqual((JSON.parse(list.stdout) as { targets: { name: string }[] }).targets.map((t) => t.name), [`${GUN}:1.0.0`]);
    assert.doesNotMatch(pg.sql(db, 'SELECT name FROM cnab_trust_state ORDER BY name'), /staged\.json/);
  });

  describe('bad input and misuse', () => {
    it('an unreachable database: E_STORE_UNAVAILABLE naming host and database, never the password (exit 3)', () => {
      const r = cli(['list', '--store', `postgres://cnab:${pg.password}@127.0.0.1:1/somedb`]);
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, /^error\[E_STORE_UNAVAILABLE\]: .*database somedb on 127\.0\.0\.1:1/);
      assert.ok(!r.stderr.includes(pg.password));
      const missing = cli(['status', '--store', pg.urlFor('nosuchdb')]);
      assert.equal(missing.status, 3);
      assert.match(missing.stderr, /^error\[E_STORE_UNAVAILABLE\]: database nosuchdb on 127\.0\.0\.1:\d+ does not exist/);
      assert.ok(!missing.stderr.includes(pg.password));
    });

    it('a wrong password: E_STORE_AUTH (exit 3), the password given never printed', () => {
      const wrong = 'not-the-Password-42';
      const r = cli(['list', '--store', `postgres://cnab:${wrong}@127.0.0.1:${pg.port}/${pg.database}`]);
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, /^error\[E_STORE_AUTH\]: PostgreSQL refused user cnab for database cnabtrust/);
      assert.ok(!r.stderr.includes(wrong) && !r.stdout.includes(wrong));
      const debug = cli(['list', '--debug', '--store', `postgres://cnab:${wrong}@127.0.0.1:${pg.port}/${pg.database}`]);
      assert.ok(!debug.stderr.includes(wrong) && !debug.stdout.includes(wrong), 'not even with --debug');
    });

    it('credentials from PGPASSWORD or a .pgpass file (URL without password)', () => {
      const { url, keysDir } = fresh();
      const bare = url.replace(`:${encodeURIComponent(pg.password)}@`, '@');
      assert.ok(!bare.includes(pg.password));
      const env = { ...process.env, PGPASSWORD: pg.password };
      const init = cli(['init', '--gun', GUN, '--store', bare, '--keys', keysDir], env);
      assert.equal(init.status, 0, init.stderr);
      const { PGPASSWORD: _unused, ...rest } = process.env;
      const noPassword = { ...rest, PGPASSFILE: path.join(tmp.dir, 'none') };
      const refused = cli(['list', '--store', bare], noPassword);
      assert.equal(refused.status, 3);
      assert.match(refused.stderr, /E_STORE_AUTH/);
      const pgpass = path.join(tmp.dir, 'pgpass');
      writeFileSync(pgpass, `127.0.0.1:${pg.port}:*:${pg.user}:${pg.password}\n`);
      chmodSync(pgpass, 0o600);
      const viaFile = cli(['list', '--store', bare, '--json'], { ...noPassword, PGPASSFILE: pgpass });
      assert.equal(viaFile.status, 0, viaFile.stderr);
      for (const r of [init, refused, viaFile]) assert.ok(!(r.stdout + r.stderr).includes(pg.password));
    });

    it('a database written by a newer schema is refused with a hint to upgrade (E_STORE_SCHEMA, exit 2), and left as it is', async () => {
      const { db, url, keysDir } = fresh();
      await initRepository({ gun: GUN, storeUrl: url, keysDir });
      pg.sql(db, 'UPDATE cnab_trust_schema SET version = 99');
      for (const args of [['list'], ['sign', bundle, '--ref', `${GUN}:1.0.0`, '--keys', keysDir], ['init', '--gun', GUN, '--keys', keysDir]]) {
        const r = cli([...args, '--store', url]);
        assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
        assert.match(r.stderr, /^error\[E_STORE_SCHEMA\]: database repo\d+ has schema version 99; this cnab-trust knows up to 1/);
        assert.match(r.stderr, /hint: .*upgrade cnab-trust/);
      }
      assert.equal(pg.sql(db, 'SELECT version FROM cnab_trust_schema').trim(), '99');
    });

    it('an empty database: status says there is no repository and how to make one; a bad URL or scheme is a usage error', () => {
      const { url } = fresh();
      const r = cli(['status', '--store', url]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /^error\[E_TUF_REPOSITORY\]: no TUF repository in postgres:\/\/cnab@/);
      assert.match(r.stderr, /cnab-trust init/);
      const bad = cli(['list', '--store', 'postgres://%zz@[::1']);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /^error\[E_USAGE\]/);
      const scheme = cli(['list', '--store', 'mysql://u:secretpw@h/db']);
      assert.equal(scheme.status, 2);
      assert.ok(!scheme.stderr.includes('secretpw'));
    });

    it('no private key in the database: only metadata, targets and the config', async () => {
      const { db, url, keysDir } = fresh();
      await initRepository({ gun: GUN, storeUrl: url, keysDir });
      assert.equal(pg.sql(db, 'SELECT string_agg(name, \',\' ORDER BY name) FROM cnab_trust_state').trim(), 'config.json');
      const dump = pg.sql(db, "SELECT encode(bytes, 'escape') FROM cnab_trust_metadata UNION ALL SELECT encode(bytes, 'escape') FROM cnab_trust_state");
      for (const f of readdirSync(keysDir).filter((n) => n.endsWith('.key'))) {
        const key = readFileSync(path.join(keysDir, f), 'utf8');
        const body = key.split('\n').filter((l) => !l.startsWith('-----') && l.trim() !== '').join('');
        assert.ok(body.length > 20 && !dump.includes(body.slice(0, 40)), `private key ${f} is not in the database`);
      }
    });
  });
});
