/**
 * CNAB-Sec 301 names: the roles of a bundle's metadata repository and the target names they sign.
 *
 *  - `targets` signs `<gun>/in-toto-metadata/root.layout` and `<gun>/in-toto-pubkeys/<keyid>.pub`, and delegates
 *    `<gun>:*` and `<gun>/in-toto-metadata/*\/*.link` to `targets/releases`.
 *  - `targets/releases` signs `<gun>:<tag>` and `<gun>/in-toto-metadata/<bundle-sha256>/<step>.<keyid8>.link`.
 * `<gun>` is the repository part of an image-style reference (`example.com/example-org/example-bundle`).
 */
import { CnabTrustError } from '../errors.js';

export const ROOT = 'root';
export const TARGETS = 'targets';
export const SNAPSHOT = 'snapshot';
export const TIMESTAMP = 'timestamp';
export const TOP_LEVEL_ROLES = [ROOT, TARGETS, SNAPSHOT, TIMESTAMP] as const;
export type TopLevelRole = (typeof TOP_LEVEL_ROLES)[number];
/** CNAB-Sec 301: the delegated role that signs bundle versions and their links. */
export const RELEASES = 'targets/releases';
/** TAP 15: name prefix of the succinct hashed bins delegated by `targets/releases` (`targets/releases/bins-0a`). */
export const RELEASES_BINS_PREFIX = 'targets/releases/bins';

export function isTopLevelRole(role: string): role is TopLevelRole {
  return (TOP_LEVEL_ROLES as readonly string[]).includes(role);
}

// A GUN is a lower-case registry/repository path: components of [a-z0-9._-], separated by '/', the first may carry ':port'.
const GUN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Check a GUN (`example.com/org/bundle`): no tag, no digest, no traversal. */
export function checkGun(gun: string): string {
  if (!GUN.test(gun)) {
    throw new CnabTrustError('E_USAGE', `not a valid GUN (registry/repository path without tag): ${gun}`, {
      subject: gun,
      hint: 'write it like example.com/example-org/example-bundle',
    });
  }
  return gun;
}

/** Split `<gun>:<tag>` into its parts (the tag is what follows the last ':' after the last '/'). */
export function parseBundleRef(ref: string): { gun: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon <= slash || !TAG.test(ref.slice(colon + 1))) {
    throw new CnabTrustError('E_USAGE', `not a bundle reference <gun>:<tag>: ${ref}`, {
      subject: ref,
      hint: 'write it like example.com/example-org/example-bundle:1.0.0',
    });
  }
  return { gun: checkGun(ref.slice(0, colon)), tag: ref.slice(colon + 1) };
}

/** CNAB-Sec 301: the target name of one bundle version. */
export function bundleTargetName(gun: string, tag: string): string {
  return `${gun}:${tag}`;
}

/** CNAB-Sec 301: the target name of the in-toto root layout signed by `targets` (one per GUN; before versioning). */
export function layoutTargetName(gun: string): string {
  return `${gun}/in-toto-metadata/root.layout`;
}

/**
 * The content-addressed target name of one root layout, `<gun>/in-toto-metadata/<sha256>.root.layout`: each layout
 * keeps its own name, so a release stays bound to the layout it was signed under when a new layout is signed, until
 * that layout is revoked on purpose (`metadata revoke-layout`).
 */
export function versionedLayoutTargetName(gun: string, sha256Hex: string): string {
  return `${gun}/in-toto-metadata/${sha256Hex}.root.layout`;
}

/** The sha256 of a content-addressed layout name of this GUN, or undefined for any other name. */
export function layoutHashOf(gun: string, targetName: string): string | undefined {
  const prefix = `${gun}/in-toto-metadata/`;
  if (!targetName.startsWith(prefix)) return undefined;
  return /^([0-9a-f]{64})\.root\.layout$/.exec(targetName.slice(prefix.length))?.[1];
}

/** CNAB-Sec 301: the target name of one public key of the root layout, signed by `targets`. */
export function layoutKeyTargetName(gun: string, keyid: string): string {
  return `${gun}/in-toto-pubkeys/${keyid}.pub`;
}

/** CNAB-Sec 301: links of one bundle live in a directory named after the bundle's SHA-256. */
export function linkTargetName(gun: string, bundleSha256: string, linkFileName: string): string {
  return `${gun}/in-toto-metadata/${bundleSha256}/${linkFileName}`;
}

/** CNAB-Sec 301: the paths `targets` delegates to `targets/releases`. */
export function releasesDelegationPaths(gun: string): string[] {
  return [`${gun}:*`, `${gun}/in-toto-metadata/*/*.link`];
}

/** The prefix of every target name belonging to a GUN's bundle versions (for `list`). */
export function isBundleTargetOf(gun: string, targetName: string): boolean {
  return targetName.startsWith(`${gun}:`) && !targetName.slice(gun.length + 1).includes('/');
}

/**
 * Where a role's metadata file of a version lives in the repository (consistent snapshots): `V.<role>.json`, with a
 * role name containing '/' stored as a nested path (`3.targets/releases.json`), which is what a static server finds
 * for the `3.targets%2Freleases.json` that tuf-js and python-tuf request.
 */
export function roleFilePath(role: string, version: number | undefined): string {
  checkRoleName(role);
  return version === undefined ? `${role}.json` : `${version}.${role}.json`;
}

/** A role name we write: segments of [A-Za-z0-9._-], no empty, '.' or '..' segment. */
export function checkRoleName(role: string): string {
  const parts = role.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || !/^[A-Za-z0-9._-]+$/.test(p))) {
    throw new CnabTrustError('E_TUF_INVALID', `role name not usable as a file path: ${role}`, { subject: role });
  }
  return role;
}

/**
 * Consistent snapshots: a target named `a/b/c` with SHA-256 `H` is stored at `targets/a/b/H.c` (the path tuf-js's
 * `downloadTarget` requests with `prefixTargetsWithHash`).
 */
export function targetFilePath(targetName: string, sha256: string): string {
  const parts = targetName.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new CnabTrustError('E_TUF_INVALID', `target name not usable as a file path: ${targetName}`, { subject: targetName });
  }
  const base = parts.pop() as string;
  return ['targets', ...parts, `${sha256}.${base}`].join('/');
}

/** A file name for a target that cannot leave the download directory. */
export function targetFileName(name: string): string {
  const file = encodeURIComponent(name);
  if (file === '' || file === '.' || file === '..') {
    throw new CnabTrustError('E_TUF_INVALID', 'target name cannot be stored as a file', { subject: name });
  }
  return file;
}
