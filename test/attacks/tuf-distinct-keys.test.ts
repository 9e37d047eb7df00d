/**
 * TUF thresholds count keys, not keyids: a delegation lists the releases key under two keyids
 * with threshold 2, and one private key signs twice. tuf-js 5.0.1 counts keyids; our client counts distinct public
 * keys (E_TUF_THRESHOLD), and our repository tools refuse to write such a delegation (`metadata rotate`).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';
import { runCli } from '../helpers/cli.js';
import { generateKey, TufTestRepo, type TestKey } from '../helpers/tuf-repo.js';

/** The same public key under another keyid (its JSON with keyid_hash_algorithms, as securesystemslib writes it). */
function alias(k: TestKey): TestKey {
  const json = { ...k.json, keyid_hash_algorithms: ['sha256', 'sha512'] } as unknown as TestKey['json'];
  return { keyid: createHash('sha256').update(canonicalize(json)).digest('hex'), json, privateKey: k.privateKey };
}

describe('attacks: one key counted twice toward a TUF threshold', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-attack-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function getTarget(repo: TufTestRepo, name: string): ReturnType<typeof runCli> {
    writeFileSync(path.join(dir, 'root.json'), repo.trustedRoot());
    return runCli('tuf', 'get', name, '--trusted-root', path.join(dir, 'root.json'), '--metadata', repo.dir);
  }

  it('targets/releases: one key under two keyids, threshold 2 -> E_TUF_THRESHOLD; two distinct keys pass', () => {
    const repo = new TufTestRepo(path.join(dir, 'repo'));
    const k = repo.keys['targets/releases'][0]!;
    repo.keys['targets/releases'].push(alias(k));
    repo.thresholds['targets/releases'] = 2;
    repo.addTarget(`${repo.gun}:1.0.0`, Buffer.from('{"evil":true}'));
    repo.publish();
    const r = getTarget(repo, `${repo.gun}:1.0.0`);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /error\[E_TUF_THRESHOLD\]: targets\/releases is signed by 1 distinct key\(s\), its threshold is 2/);

    const honest = new TufTestRepo(path.join(dir, 'honest'));
    honest.keys['targets/releases'].push(generateKey());
    honest.thresholds['targets/releases'] = 2;
    honest.addTarget(`${honest.gun}:1.0.0`, Buffer.from('{}'));
    honest.publish();
    assert.equal(getTarget(honest, `${honest.gun}:1.0.0`).status, 0);
  });

  it('a top-level role (timestamp) listed twice in root with threshold 2 -> E_TUF_THRESHOLD', () => {
    const repo = new TufTestRepo(path.join(dir, 'repo'));
    repo.keys.timestamp.push(alias(repo.keys.timestamp[0]!));
    repo.thresholds.timestamp = 2;
    repo.addTarget(`${repo.gun}:1.0.0`, Buffer.from('{}'));
    repo.publish();
    const r = getTarget(repo, `${repo.gun}:1.0.0`);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /error\[E_TUF_THRESHOLD\]: timestamp is signed by 1 distinct key/);
  });

  it('metadata rotate refuses to add the same key in another form (E_USAGE), and writes nothing', () => {
    const metadata = path.join(dir, 'metadata');
    const keys = path.join(dir, 'keys');
    assert.equal(runCli('init', '--gun', 'example.com/org/app', '--metadata', metadata, '--keys', keys, '--key-type', 'ecdsa-sha2-nistp256').status, 0);
    const targets = JSON.parse(readFileSync(path.join(metadata, '1.targets.json'), 'utf8'));
    const keyid = targets.signed.delegations.roles[0].keyids[0] as string;
    const pub = JSON.parse(readFileSync(path.join(keys, `${keyid}.pub`), 'utf8'));
    // the same P-256 key, its PEM written with CRLF line ends: another keyid
    writeFileSync(path.join(dir, 'alias.pub'), JSON.stringify({ ...pub, keyval: { public: String(pub.keyval.public).replace(/\n/g, '\r\n') } }));
    const before = readdirSync(metadata).sort();
    const r = runCli('metadata', 'rotate', '--role', 'targets/releases', '--add-key', path.join(dir, 'alias.pub'), '--threshold', '2', '--metadata', metadata, '--keys', keys);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /error\[E_USAGE\]: role targets\/releases would list one public key under several keyids/);
    assert.deepEqual(readdirSync(metadata).sort(), before);
  });
});
