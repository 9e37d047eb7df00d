/**
 * Repository state transitions, pure: every function takes metadata and returns the next version of it, unsigned.
 * The workflow signs the results (signing.ts), serializes them and hands them to the store in the write order.
 *
 * A new version of any role always gets version + 1 and a fresh `expires` (TUF spec 4: versions only grow).
 */
import {
  Key,
  Metadata,
  MetaFile,
  Root,
  Snapshot,
  TargetFile,
  Targets,
  Timestamp,
} from '@tufjs/models';
import { Delegations } from '@tufjs/models/dist/delegations.js';
// Deep imports: @tufjs/models 4.1 does not export these from its index (ADR 0005).
import { DelegatedRole, Role, SuccinctRoles } from '@tufjs/models/dist/role.js';
import { sha256Hex } from '../crypto/sha256.js';
import { CnabTrustError } from '../errors.js';
import { expiresAfter } from './expires.js';
import { RELEASES, RELEASES_BINS_PREFIX, isTopLevelRole } from './naming.js';
import { duplicateKeyGroups } from './distinct-keys.js';

export const SPEC_VERSION = '1.0.31';

/** Keys and threshold of one role, as chosen by `init` or a rotation. */
export interface RoleKeySet {
  keys: Key[];
  threshold: number;
}

// ---------------------------------------------------------------------------------------------------------------
// building blocks

function keyMap(keys: Iterable<Key>): Record<string, Key> {
  const m: Record<string, Key> = {};
  for (const k of keys) m[k.keyID] = k;
  return m;
}

function checkKeySet(role: string, ks: RoleKeySet): void {
  const ids = new Set(ks.keys.map((k) => k.keyID));
  if (!Number.isInteger(ks.threshold) || ks.threshold < 1 || ks.threshold > ids.size) {
    throw new CnabTrustError(
      'E_USAGE',
      `role ${role}: threshold ${ks.threshold} needs 1..${ids.size} distinct keys`,
      { subject: role },
    );
  }
  assertDistinctRoleKeys(role, [...ids], keyMap(ks.keys));
}

/** A targets role's next version: same content (or the content given), version + 1, new expiry. */
export function nextTargets(
  md: Metadata<Targets>,
  now: Date,
  days: number,
  change: { targets?: Record<string, TargetFile>; delegations?: Delegations | undefined } = {},
): Metadata<Targets> {
  const s = md.signed;
  const delegations = 'delegations' in change ? change.delegations : s.delegations;
  return new Metadata(
    new Targets({
      version: s.version + 1,
      specVersion: SPEC_VERSION,
      expires: expiresAfter(now, days),
      targets: change.targets ?? s.targets,
      ...(delegations === undefined ? {} : { delegations }),
      unrecognizedFields: s.unrecognizedFields,
    }),
  );
}

/** Add or replace target files in a targets role (the role's next version). */
export function withTargets(md: Metadata<Targets>, files: readonly TargetFile[], now: Date, days: number): Metadata<Targets> {
  const targets: Record<string, TargetFile> = { ...md.signed.targets };
  for (const f of files) targets[f.path] = f;
  return nextTargets(md, now, days, { targets });
}

/** Remove target files from a targets role (the role's next version); unknown names are an error. */
export function withoutTargets(md: Metadata<Targets>, names: readonly string[], now: Date, days: number): Metadata<Targets> {
  const targets: Record<string, TargetFile> = { ...md.signed.targets };
  for (const n of names) {
    if (targets[n] === undefined) throw new CnabTrustError('E_TUF_TARGET_NOT_FOUND', `no target ${n}`, { subject: n });
    delete targets[n];
  }
  return nextTargets(md, now, days, { targets });
}

/** A target file entry: length, sha256 and optional `custom`. */
export function targetFile(path: string, bytes: Uint8Array, custom?: Record<string, unknown>): TargetFile {
  return new TargetFile({
    path,
    length: bytes.length,
    hashes: { sha256: sha256Hex(bytes) },
    ...(custom === undefined ? {} : { unrecognizedFields: { custom: custom as never } }),
  });
}

/** The snapshot's entry for a targets role file: version, and length + sha256 so clients can bound the download. */
export function metaFileFor(version: number, bytes: Uint8Array): MetaFile {
  return new MetaFile({ version, length: bytes.length, hashes: { sha256: sha256Hex(bytes) } });
}

/** TUF spec 4.4: snapshot lists the current version of every targets role file; next version with `changed`. */
export function nextSnapshot(
  md: Metadata<Snapshot>,
  changed: ReadonlyMap<string, MetaFile>,
  now: Date,
  days: number,
): Metadata<Snapshot> {
  const meta: Record<string, MetaFile> = { ...md.signed.meta };
  for (const [role, mf] of changed) {
    const old = meta[`${role}.json`];
    if (old !== undefined && mf.version <= old.version) {
      throw new CnabTrustError('E_TUF_ROLLBACK', `role ${role}: version ${mf.version} is not above ${old.version}`, {
        subject: role,
      });
    }
    meta[`${role}.json`] = mf;
  }
  return new Metadata(
    new Snapshot({ version: md.signed.version + 1, specVersion: SPEC_VERSION, expires: expiresAfter(now, days), meta }),
  );
}

/** TUF spec 4.5: timestamp names the current snapshot (version, length, sha256). */
export function nextTimestamp(
  md: Metadata<Timestamp>,
  snapshotVersion: number,
  snapshotBytes: Uint8Array,
  now: Date,
  days: number,
): Metadata<Timestamp> {
  return new Metadata(
    new Timestamp({
      version: md.signed.version + 1,
      specVersion: SPEC_VERSION,
      expires: expiresAfter(now, days),
      snapshotMeta: metaFileFor(snapshotVersion, snapshotBytes),
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// init

export interface InitParams {
  gun: string;
  now: Date;
  days: (role: string) => number;
  roles: Record<'root' | 'targets' | 'snapshot' | 'timestamp' | 'targets/releases', RoleKeySet>;
  /** TAP 15: number of hashed bins under targets/releases (a power of 2 ≥ 2), or undefined for a flat role. */
  bins?: number;
  releasesPaths: string[];
}

export interface InitialRepository {
  root: Metadata<Root>;
  targetsRoles: Map<string, Metadata<Targets>>;
  /** Snapshot and timestamp are made at publish time from the signed targets roles. */
}

/** The first version of root, targets, targets/releases (and its bins). */
export function initialRepository(p: InitParams): InitialRepository {
  for (const [role, ks] of Object.entries(p.roles)) checkKeySet(role, ks);
  const top = ['root', 'targets', 'snapshot', 'timestamp'] as const;
  const rootKeys = keyMap(top.flatMap((r) => p.roles[r].keys));
  const roles: Record<string, Role> = {};
  for (const r of top) {
    roles[r] = new Role({ keyIDs: [...new Set(p.roles[r].keys.map((k) => k.keyID))], threshold: p.roles[r].threshold });
  }
  const root = new Metadata(
    new Root({
      version: 1,
      specVersion: SPEC_VERSION,
      expires: expiresAfter(p.now, p.days('root')),
      keys: rootKeys,
      roles,
      consistentSnapshot: true,
    }),
  );
  const rel = p.roles['targets/releases'];
  const targets = new Metadata(
    new Targets({
      version: 1,
      specVersion: SPEC_VERSION,
      expires: expiresAfter(p.now, p.days('targets')),
      targets: {},
      delegations: new Delegations({
        keys: keyMap(rel.keys),
        roles: {
          [RELEASES]: new DelegatedRole({
            name: RELEASES,
            keyIDs: [...new Set(rel.keys.map((k) => k.keyID))],
            threshold: rel.threshold,
            terminating: true,
            paths: p.releasesPaths,
          }),
        },
      }),
    }),
  );
  const targetsRoles = new Map<string, Metadata<Targets>>([['targets', targets]]);
  let releasesDelegations: Delegations | undefined;
  if (p.bins !== undefined) {
    const succinct = succinctBins(rel, p.bins);
    releasesDelegations = new Delegations({ keys: keyMap(rel.keys), succinctRoles: succinct });
    for (const bin of succinct.getRoles()) {
      targetsRoles.set(bin, emptyTargets(p.now, p.days(bin)));
    }
  }
  targetsRoles.set(
    RELEASES,
    new Metadata(
      new Targets({
        version: 1,
        specVersion: SPEC_VERSION,
        expires: expiresAfter(p.now, p.days(RELEASES)),
        targets: {},
        ...(releasesDelegations === undefined ? {} : { delegations: releasesDelegations }),
      }),
    ),
  );
  return { root, targetsRoles };
}

/** TAP 15: `bins` (a power of 2) succinct hashed bins named `targets/releases/bins-XX`, with the given keys. */
function succinctBins(keys: RoleKeySet, bins: number): SuccinctRoles {
  const bitLength = Math.log2(bins);
  if (!Number.isInteger(bitLength) || bitLength < 1 || bitLength > 16) {
    throw new CnabTrustError('E_USAGE', `--bins must be a power of 2 between 2 and 65536, got ${bins}`, { subject: '--bins' });
  }
  return new SuccinctRoles({
    keyIDs: [...new Set(keys.keys.map((k) => k.keyID))],
    threshold: keys.threshold,
    bitLength,
    namePrefix: RELEASES_BINS_PREFIX,
  });
}

/**
 * Move a flat `targets/releases` into TAP 15 bins: its next version keeps no targets and delegates every path to
 * the bins (succinct roles with its own keys); each bin's first version holds the targets whose path hashes to it.
 */
export function releasesIntoBins(
  releases: Metadata<Targets>,
  keys: RoleKeySet,
  bins: number,
  now: Date,
  days: (role: string) => number,
): Map<string, Metadata<Targets>> {
  if (releases.signed.delegations !== undefined) {
    throw new CnabTrustError('E_USAGE', `${RELEASES} already delegates (it is in bins already)`, { subject: RELEASES });
  }
  const succinct = succinctBins(keys, bins);
  const byBin = new Map<string, Record<string, TargetFile>>();
  for (const bin of succinct.getRoles()) byBin.set(bin, {});
  for (const [name, t] of Object.entries(releases.signed.targets)) byBin.get(succinct.getRoleForTarget(name))![name] = t;
  const out = new Map<string, Metadata<Targets>>();
  out.set(
    RELEASES,
    nextTargets(releases, now, days(RELEASES), {
      targets: {},
      delegations: new Delegations({ keys: keyMap(keys.keys), succinctRoles: succinct }),
    }),
  );
  for (const [bin, targets] of byBin) {
    out.set(bin, new Metadata(new Targets({ version: 1, specVersion: SPEC_VERSION, expires: expiresAfter(now, days(bin)), targets })));
  }
  return out;
}

function emptyTargets(now: Date, days: number): Metadata<Targets> {
  return new Metadata(new Targets({ version: 1, specVersion: SPEC_VERSION, expires: expiresAfter(now, days), targets: {} }));
}

/** An empty snapshot/timestamp pair at version 0, so the first publish makes version 1 of each. */
export function emptySnapshot(): Metadata<Snapshot> {
  return new Metadata(new Snapshot({ version: 0, specVersion: SPEC_VERSION, expires: '1970-01-01T00:00:00Z', meta: {} }));
}
export function emptyTimestamp(): Metadata<Timestamp> {
  return new Metadata(new Timestamp({ version: 0, specVersion: SPEC_VERSION, expires: '1970-01-01T00:00:00Z' }));
}

// ---------------------------------------------------------------------------------------------------------------
// which role signs a target

/** The targets role that holds `targetName` below targets/releases: a TAP 15 bin, or targets/releases itself. */
export function releasesRoleFor(releases: Metadata<Targets>, targetName: string): string {
  const succinct = releases.signed.delegations?.succinctRoles;
  return succinct === undefined ? RELEASES : succinct.getRoleForTarget(targetName);
}

// ---------------------------------------------------------------------------------------------------------------
// rotation and revocation

export interface KeyChange {
  /** keyids to take out of the role. */
  remove: readonly string[];
  /** keys to add to the role. */
  add: readonly Key[];
  /** new threshold (default: unchanged, capped at the remaining key count is an error, not a silent change). */
  threshold?: number;
}

function applyKeyChange(
  role: string,
  keyIDs: readonly string[],
  threshold: number,
  change: KeyChange,
  known: Readonly<Record<string, Key>>,
): { keyIDs: string[]; threshold: number } {
  for (const id of change.remove) {
    if (!keyIDs.includes(id)) {
      throw new CnabTrustError('E_USAGE', `key ${id} is not a key of role ${role}`, { subject: role });
    }
  }
  const ids = [...new Set([...keyIDs.filter((id) => !change.remove.includes(id)), ...change.add.map((k) => k.keyID)])];
  const t = change.threshold ?? threshold;
  if (ids.length === 0 || t < 1 || t > ids.length) {
    throw new CnabTrustError('E_USAGE', `role ${role} would have ${ids.length} key(s) for threshold ${t}`, {
      subject: role,
      hint: 'add keys (--generate N or --add-key FILE) or lower --threshold',
    });
  }
  assertDistinctRoleKeys(role, ids, { ...known, ...keyMap([...change.add]) });
  return { keyIDs: ids, threshold: t };
}

/**
 * A role's keyids must name distinct public keys: thresholds count keys, not keyids, and a
 * client that counts keyids (tuf-js 5.0.1) would let one key meet a threshold of 2. Refused at metadata time.
 */
export function assertDistinctRoleKeys(role: string, keyIDs: readonly string[], keys: Readonly<Record<string, Key>>): void {
  const groups = duplicateKeyGroups(keys, keyIDs);
  if (groups.length === 0) return;
  throw new CnabTrustError('E_USAGE', `role ${role} would list one public key under several keyids (${groups.map((g) => g.join(' = ')).join('; ')})`, {
    subject: role,
    hint: 'a threshold counts distinct public keys: add another key, not the same key in another form',
    details: { role, duplicateKeyids: groups },
  });
}

/** The next root with `role`'s keys changed (rotation or revocation of a top-level role's key). */
export function rootWithRoleKeys(root: Metadata<Root>, role: string, change: KeyChange, now: Date, days: number): Metadata<Root> {
  if (!isTopLevelRole(role)) throw new CnabTrustError('E_USAGE', `${role} is not a top-level role`, { subject: role });
  const s = root.signed;
  const old = s.roles[role] as Role;
  const next = applyKeyChange(role, old.keyIDs, old.threshold, change, s.keys);
  const roles: Record<string, Role> = { ...s.roles, [role]: new Role(next) };
  // Keep only keys some role still uses (TUF spec 4.3: keys lists the keys of the roles).
  const used = new Set(Object.values(roles).flatMap((r) => r.keyIDs));
  const keys = keyMap([...Object.values(s.keys), ...change.add].filter((k) => used.has(k.keyID)));
  return nextRoot(root, now, days, { keys, roles });
}

/** The next root version (client workflow 5.3: N+1 must be signed by the thresholds of N and of N+1). */
export function nextRoot(
  root: Metadata<Root>,
  now: Date,
  days: number,
  change: { keys?: Record<string, Key>; roles?: Record<string, Role> } = {},
): Metadata<Root> {
  const s = root.signed;
  return new Metadata(
    new Root({
      version: s.version + 1,
      specVersion: SPEC_VERSION,
      expires: expiresAfter(now, days),
      keys: change.keys ?? s.keys,
      roles: change.roles ?? s.roles,
      consistentSnapshot: s.consistentSnapshot,
      unrecognizedFields: s.unrecognizedFields,
    }),
  );
}

/** The next version of a delegating targets role with a delegated role's keys changed (paths or succinct bins). */
export function targetsWithDelegatedKeys(
  parent: Metadata<Targets>,
  role: string,
  change: KeyChange,
  now: Date,
  days: number,
): Metadata<Targets> {
  const d = parent.signed.delegations;
  const dr = d?.roles?.[role];
  const sr = d?.succinctRoles;
  if (d === undefined || (dr === undefined && sr === undefined)) {
    throw new CnabTrustError('E_TUF_DELEGATION', `role ${role} is not delegated here`, { subject: role });
  }
  let roles = d.roles;
  let succinctRoles = sr;
  if (dr !== undefined) {
    const next = applyKeyChange(role, dr.keyIDs, dr.threshold, change, d.keys);
    roles = {
      ...d.roles,
      [role]: new DelegatedRole({
        name: dr.name,
        terminating: dr.terminating,
        ...next,
        ...(dr.paths === undefined ? {} : { paths: dr.paths }),
        ...(dr.pathHashPrefixes === undefined ? {} : { pathHashPrefixes: dr.pathHashPrefixes }),
      }),
    };
  } else if (sr !== undefined) {
    const next = applyKeyChange(role, sr.keyIDs, sr.threshold, change, d.keys);
    succinctRoles = new SuccinctRoles({ ...next, bitLength: sr.bitLength, namePrefix: sr.namePrefix });
  }
  const allRoles = [...Object.values(roles ?? {}), ...(succinctRoles ? [succinctRoles] : [])];
  const used = new Set(allRoles.flatMap((r) => r.keyIDs));
  const keys = keyMap([...Object.values(d.keys), ...change.add].filter((k) => used.has(k.keyID)));
  const delegations = new Delegations({
    keys,
    ...(roles === undefined ? {} : { roles }),
    ...(succinctRoles === undefined ? {} : { succinctRoles }),
  });
  return nextTargets(parent, now, days, { delegations });
}
