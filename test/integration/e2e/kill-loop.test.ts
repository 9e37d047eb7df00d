/**
 * Interruptions the signer cannot prevent, through the CLI against a real docker-registry:
 *  - `kill -9` at 50 points during `sign` and `pipeline`: the points are the crash points of the write path
 *    (src/adapters/process/crash-points.ts: every durable temp file, every rename, the pipeline's stage
 *    boundaries), counted on a first run and then hit one by one, so the test is deterministic (no sleeps, no
 *    timing). After each kill the repository must verify in its old or its new state (a fresh tuf-js client), and
 *    the same command must then succeed (breaking the dead process's lock).
 *  - 16 concurrent `sign` processes: each publishes or fails with E_TUF_LOCKED, never a torn repository; the
 *    ones locked out succeed when run again.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { initRepository } from '../../../src/workflows/tuf/init.js';
import { signBundle } from '../../../src/workflows/tuf/sign.js';
import { runPipeline } from '../../../src/compositions/pipeline.js';
import { startReleaseRegistry, type ReleaseRegistry } from '../../helpers/release-registry.js';
import { cliMain } from '../../helpers/cli.js';
import { clientGet } from '../tuf-repo/helpers.js';

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

describe('kill -9 during sign and pipeline, and 16 concurrent signers (docker-registry)', function () {
  this.timeout(900_000);
  let rr: ReleaseRegistry;
  let tmp: ReleaseRegistry['tmp'];
  let gun: string;
  const f = (...p: string[]): string => path.join(tmp.path, ...p);
  const bundle = (version: string): { file: string; sha256: string } => rr.bundle(version);

  function cli(args: string[], env: Record<string, string> = {}): Run {
    const r = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', cwd: tmp.path, env: { ...process.env, ...env } });
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  const tagged = (tag: string): Promise<boolean> => rr.tagged(tag);

  before(async () => {
    rr = await startReleaseRegistry('cnab-trust-kill-loop-');
    ({ tmp, gun } = rr);
  });
  after(async () => {
    await rr?.stop();
  });

  it('kill -9 at 50 crash points: the old or the new state verifies, and the command then succeeds', async () => {
    const metadata = f('metadata');
    const keys = f('keys');
    await initRepository({ gun, metadataDir: metadata, keysDir: keys });
    const signArgs = (v: string): string[] => ['sign', bundle(v).file, '--ref', `${gun}:${v}`, '--metadata', metadata, '--keys', keys];
    const pipelineArgs = (v: string): string[] => ['pipeline', '--bundle', bundle(v).file, '--ref', `${gun}:${v}`, '--metadata', metadata, '--keys', keys];

    // count the crash points of each command on a clean run
    const count = (args: string[]): number => {
      const log = f('crash.log');
      rmSync(log, { force: true });
      const r = cli(args, { CNAB_TRUST_TEST_CRASH_LOG: log });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      return readFileSync(log, 'utf8').trim().split('\n').length;
    };
    const points = { sign: count(signArgs('0.0.1')), pipeline: count(pipelineArgs('0.0.2')) };
    assert.ok(points.sign >= 8 && points.pipeline >= 12, JSON.stringify(points));
    let lastGood = `${gun}:0.0.2`;

    // 50 kills, alternating sign and pipeline, walking through every point of each in turn
    const next = { sign: 1, pipeline: 1 };
    const notices: string[] = [];
    for (let i = 0; i < 50; i++) {
      const kind = i % 2 === 0 ? 'sign' : 'pipeline';
      const at = next[kind];
      next[kind] = (at % points[kind]) + 1;
      const version = `1.${i}.0`;
      const name = `${gun}:${version}`;
      const r = cli(kind === 'sign' ? signArgs(version) : pipelineArgs(version), { CNAB_TRUST_TEST_CRASH_AT: String(at) });
      assert.equal(r.signal, 'SIGKILL', `${kind} killed at point ${at}: ${r.stdout}${r.stderr}`);

      // the repository verifies: what was published before still is, the killed release is either absent or whole
      const before = await clientGet(metadata, lastGood);
      assert.equal(before.name, lastGood);
      let present = false;
      try {
        const t = await clientGet(metadata, name);
        assert.equal(t.hashes['sha256'], bundle(version).sha256, `${kind} at ${at}: a whole new state`);
        present = true;
      } catch (e) {
        assert.equal((e as { code?: string }).code, 'E_TUF_TARGET_NOT_FOUND', `${kind} at ${at}: ${(e as Error).message}`);
      }
      // a tag never comes before the metadata that vouches for it
      if (kind === 'pipeline' && (await tagged(version))) assert.ok(present, `pipeline at ${at}: tagged but not published`);

      // and the same command succeeds now (the dead process's lock is broken)
      if (kind === 'sign') {
        await signBundle({ input: bundle(version).file, ref: name, metadataDir: metadata, keysDir: keys, onNotice: (m) => notices.push(m) });
      } else {
        const report = await runPipeline({ bundle: bundle(version).file, ref: name, metadataDir: metadata, keysDir: keys, onNotice: (m) => notices.push(m) });
        assert.equal(report.ok, true, JSON.stringify(report.error));
        assert.ok(await tagged(version));
      }
      assert.equal((await clientGet(metadata, name)).hashes['sha256'], bundle(version).sha256);
      assert.equal(existsSync(path.join(metadata, '.cnab-trust', 'lock')), false);
      lastGood = name;
    }
    // a kill while the lock was held left it to a dead process: a later command broke it
    assert.ok(notices.some((n) => /broke the stale repository lock .*: that process is gone/.test(n)), notices.join('\n'));
  });

  it('16 concurrent sign processes: each publishes or fails with E_TUF_LOCKED; run again, all are published', async () => {
    const metadata = f('concurrent', 'metadata');
    const keys = f('concurrent', 'keys');
    await initRepository({ gun, metadataDir: metadata, keysDir: keys });
    const runAsync = (args: string[]): Promise<Run> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [cliMain, ...args], { cwd: tmp.path });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
      });
    let pending = Array.from({ length: 16 }, (_, i) => `2.${i}.0`);
    const signed: string[] = [];
    for (let round = 0; pending.length > 0; round++) {
      assert.ok(round < 64, `still locked out after 64 rounds: ${pending.join(', ')}`);
      const runs = await Promise.all(pending.map((v) => runAsync(['sign', bundle(v).file, '--ref', `${gun}:${v}`, '--metadata', metadata, '--keys', keys, '--json'])));
      const locked: string[] = [];
      runs.forEach((r, i) => {
        if (r.status === 0) signed.push(pending[i]!);
        else {
          assert.deepEqual([r.status, JSON.parse(r.stdout).error.code], [3, 'E_TUF_LOCKED'], r.stdout + r.stderr);
          locked.push(pending[i]!);
        }
      });
      if (round === 0) assert.ok(signed.length >= 1);
      // never a torn repository: everything published so far verifies with a fresh client
      for (const v of signed) assert.equal((await clientGet(metadata, `${gun}:${v}`)).hashes['sha256'], bundle(v).sha256);
      pending = locked;
    }
    assert.equal(signed.length, 16);
    assert.equal(existsSync(path.join(metadata, '.cnab-trust', 'lock')), false);
  });
});
