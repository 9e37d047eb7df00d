/**
 * A small TUF repository builder for the client tests: consistent snapshots, top-level roles plus the
 * `targets/releases` delegation (CNAB-Sec 301 naming), written in the on-disk layout of metadata/README.md
 * (`N.root.json` for every root version, `timestamp.json`, `N.snapshot.json`, `N.targets.json`,
 * `N.targets/releases.json`, target files under `targets/` with hash prefixes).
 *
 * Unlike the repository code it can also produce what a repository must never publish: expired roles,
 * rolled-back versions, signatures by the wrong keys, thresholds not met, mixed snapshots, oversized files,
 * targets listed by a role not delegated their path. Versions are under the test's control (`versions`),
 * nothing is bumped behind its back.
 *
 * Metadata is plain JSON signed over OLPC canonical JSON (@tufjs/canonical-json) with Node's ed25519;
 * what the tests verify is read by tuf-js and @tufjs/models only.
 */
import { createHash, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';

export interface TestKey {
  keyid: string;
  json: { keytype: 'ed25519'; scheme: 'ed25519'; keyval: { public: string } };
  privateKey: KeyObject;
}

export function generateKey(): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const json = { keytype: 'ed25519' as const, scheme: 'ed25519' as const, keyval: { public: raw.toString('hex') } };
  const keyid = createHash('sha256').update(canonicalize(json)).digest('hex');
  return { keyid, json, privateKey };
}

export type TopRole = 'root' | 'targets' | 'snapshot' | 'timestamp';
export type AnyRole = TopRole | 'targets/releases';
export const RELEASES = 'targets/releases';

type Json = Record<string, unknown>;

export interface SignedFile {
  signed: Json;
  signatures: Array<{ keyid: string; sig: string }>;
}

export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function signMetadata(signed: Json, keys: TestKey[]): SignedFile {
  const bytes = Buffer.from(canonicalize(signed));
  return {
    signed,
    signatures: keys.map((k) => ({ keyid: k.keyid, sig: cryptoSign(null, bytes, k.privateKey).toString('hex') })),
  };
}

export interface TargetEntry {
  length: number;
  hashes: Record<string, string>;
  custom?: Json;
}

export interface PublishOptions {
  /** Sign a role with these keys instead of its trusted keys. */
  signWith?: Partial<Record<AnyRole, TestKey[]>>;
  /** Change a role's `signed` object just before signing. */
  mutate?: Partial<Record<AnyRole, (signed: Json) => void>>;
  /** Leave hashes and length out of snapshot's meta (version-only, as the spec allows). */
  snapshotMetaVersionsOnly?: boolean;
  /** Pad a role's file to at least this many bytes (an unrecognized field in `signed`). */
  padTo?: Partial<Record<AnyRole, number>>;
}

const DAY = 24 * 60 * 60 * 1000;

export class TufTestRepo {
  readonly gun: string;
  readonly keys: Record<AnyRole, TestKey[]>;
  readonly thresholds: Record<AnyRole, number> = { root: 1, targets: 1, snapshot: 1, timestamp: 1, 'targets/releases': 1 };
  readonly versions: Record<AnyRole, number> = { root: 1, targets: 1, snapshot: 1, timestamp: 1, 'targets/releases': 1 };
  readonly expires: Record<AnyRole, Date>;
  /** Targets listed by each targets role. */
  readonly targets: Record<'targets' | 'targets/releases', Record<string, TargetEntry>> = { targets: {}, 'targets/releases': {} };
  /** Target file contents by target name. */
  readonly files = new Map<string, Buffer>();
  /** Paths delegated to targets/releases (CNAB-Sec 301). */
  releasesPaths: string[];
  /** Root versions written so far: version -> file; the latest is the trusted bootstrap for tests. */
  readonly rootFiles = new Map<number, SignedFile>();

  constructor(readonly dir: string, options: { gun?: string; now?: Date } = {}) {
    this.gun = options.gun ?? 'example.com/example-org/example-bundle';
    const now = options.now ?? new Date();
    this.expires = {
      root: new Date(now.getTime() + 365 * DAY),
      targets: new Date(now.getTime() + 30 * DAY),
      'targets/releases': new Date(now.getTime() + 30 * DAY),
      snapshot: new Date(now.getTime() + 7 * DAY),
      timestamp: new Date(now.getTime() + 1 * DAY),
    };
    this.keys = {
      root: [generateKey()],
      targets: [generateKey()],
      snapshot: [generateKey()],
      timestamp: [generateKey()],
      'targets/releases': [generateKey()],
    };
    this.releasesPaths = [`${this.gun}:*`, `${this.gun}/in-toto-metadata/*/*.link`];
  }

  /** Add (or replace) a target with its file bytes, listed by `role` (default targets/releases). */
  addTarget(name: string, bytes: Buffer, custom?: Json, role: 'targets' | 'targets/releases' = RELEASES): TargetEntry {
    const entry: TargetEntry = {
      length: bytes.length,
      hashes: { sha256: createHash('sha256').update(bytes).digest('hex') },
      ...(custom === undefined ? {} : { custom }),
    };
    this.targets[role][name] = entry;
    this.files.set(name, bytes);
    return entry;
  }

  rootSigned(): Json {
    const keys: Json = {};
    const roles: Json = {};
    for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as TopRole[]) {
      for (const k of this.keys[role]) keys[k.keyid] = k.json;
      roles[role] = { keyids: this.keys[role].map((k) => k.keyid), threshold: this.thresholds[role] };
    }
    return {
      _type: 'root',
      spec_version: '1.0.31',
      version: this.versions.root,
      expires: isoSeconds(this.expires.root),
      consistent_snapshot: true,
      keys,
      roles,
    };
  }

  /**
   * Write `N.root.json` (and `root.json`) for the current root version, signed by `signers`
   * (for a rotation: the previous root keys and the new ones).
   */
  writeRoot(signers: TestKey[] = this.keys.root, mutate?: (signed: Json) => void): SignedFile {
    const signed = this.rootSigned();
    mutate?.(signed);
    const file = signMetadata(signed, signers);
    this.rootFiles.set(this.versions.root, file);
    this.write(`${this.versions.root}.root.json`, file);
    this.write('root.json', file);
    return file;
  }

  /** Bytes of the current root (the bootstrap root a client is given). */
  trustedRoot(version = this.versions.root): Buffer {
    const file = this.rootFiles.get(version);
    if (file === undefined) throw new Error(`root version ${version} not written`);
    return Buffer.from(JSON.stringify(file));
  }

  /** Write targets/releases, targets, snapshot and timestamp (in that order) and the target files. */
  publish(options: PublishOptions = {}): void {
    if (!this.rootFiles.has(this.versions.root)) this.writeRoot();
    for (const [name, bytes] of this.files) {
      const { dir, base } = path.posix.parse(name);
      const hash = createHash('sha256').update(bytes).digest('hex');
      this.writeRaw(path.posix.join('targets', dir, `${hash}.${base}`), bytes);
    }
    const releases = this.role(RELEASES, this.targetsSigned(RELEASES), options);
    const targetsSigned = this.targetsSigned('targets');
    targetsSigned.delegations = {
      keys: Object.fromEntries(this.keys[RELEASES].map((k) => [k.keyid, k.json])),
      roles: [
        {
          name: RELEASES,
          keyids: this.keys[RELEASES].map((k) => k.keyid),
          threshold: this.thresholds[RELEASES],
          terminating: true,
          paths: this.releasesPaths,
        },
      ],
    };
    const targets = this.role('targets', targetsSigned, options);
    this.writeRaw(`${this.versions[RELEASES]}.${RELEASES}.json`, releases);
    this.writeRaw(`${this.versions.targets}.targets.json`, targets);

    const metaOf = (bytes: Buffer, version: number): Json =>
      options.snapshotMetaVersionsOnly
        ? { version }
        : { version, length: bytes.length, hashes: { sha256: createHash('sha256').update(bytes).digest('hex') } };
    const snapshot = this.role(
      'snapshot',
      {
        _type: 'snapshot',
        spec_version: '1.0.31',
        version: this.versions.snapshot,
        expires: isoSeconds(this.expires.snapshot),
        meta: {
          'targets.json': metaOf(targets, this.versions.targets),
          [`${RELEASES}.json`]: metaOf(releases, this.versions[RELEASES]),
        },
      },
      options,
    );
    this.writeRaw(`${this.versions.snapshot}.snapshot.json`, snapshot);
    const timestamp = this.role(
      'timestamp',
      {
        _type: 'timestamp',
        spec_version: '1.0.31',
        version: this.versions.timestamp,
        expires: isoSeconds(this.expires.timestamp),
        meta: {
          'snapshot.json': {
            version: this.versions.snapshot,
            length: snapshot.length,
            hashes: { sha256: createHash('sha256').update(snapshot).digest('hex') },
          },
        },
      },
      options,
    );
    this.writeRaw('timestamp.json', timestamp);
  }

  /** Write any file of the repository (relative path). */
  writeRaw(relative: string, bytes: Buffer | string): void {
    const file = path.join(this.dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }

  private write(relative: string, file: SignedFile): void {
    this.writeRaw(relative, JSON.stringify(file));
  }

  private targetsSigned(role: 'targets' | 'targets/releases'): Json {
    return {
      _type: 'targets',
      spec_version: '1.0.31',
      version: this.versions[role],
      expires: isoSeconds(this.expires[role]),
      targets: structuredClone(this.targets[role]),
    };
  }

  /** Sign a role's metadata (with its keys or the override) and return the file bytes. */
  private role(role: AnyRole, signed: Json, options: PublishOptions): Buffer {
    options.mutate?.[role]?.(signed);
    const padTo = options.padTo?.[role];
    if (padTo !== undefined) signed['x-test-padding'] = 'x'.repeat(padTo);
    const file = signMetadata(signed, options.signWith?.[role] ?? this.keys[role]);
    return Buffer.from(JSON.stringify(file));
  }
}
