/**
 * `cnab-trust sign`: add (or replace) the bundle target `<gun>:<tag>` in `targets/releases` (or its TAP 15 bin),
 * with, optionally, the in-toto root layout and its keys as targets of `targets` and the links as targets of
 * `targets/releases` (CNAB-Sec 301 "Extending the MVP"); then snapshot and timestamp follow. Signing a root layout
 * also publishes the GUN's policy `{"in-toto":"required"}` as a target of `targets` (core/verify/intoto-policy.ts).
 */
import path from 'node:path';
import type { Metadata, TargetFile, Targets } from '@tufjs/models';
import { bundleImages } from '../../core/cnab/images.js';
import { canonicalizeBundleBytes } from '../../core/cnab/canonical.js';
import { cnabGoStoredForm } from '../../core/cnab/cnab-go-marshal.js';
import type { Bundle } from '../../core/cnab/model.js';
import { canonicalPublicKeyFile, parsePublicKeyFile, privateKeyMaterialIn } from '../../core/crypto/key-files.js';
import { CnabTrustError, isCnabTrustError } from '../../core/errors.js';
import type { SslibPublicKey } from '../../core/crypto/keys.js';
import { sha256Hex } from '../../core/crypto/sha256.js';
import { loadMetablock, verifySupplyChain } from '../../core/intoto/verify.js';
import { requirePinned } from '../../core/relocation/check.js';
import { assertFinalProduct, layoutKeyTargets, linkPathSegments, MemoryMetadataSource } from '../../core/verify/intoto-targets.js';
import {
  bundleTargetName,
  layoutKeyTargetName,
  layoutHashOf,
  layoutTargetName,
  linkTargetName,
  parseBundleRef,
  RELEASES,
  TARGETS,
  versionedLayoutTargetName,
} from '../../core/tuf/naming.js';
import { releasesRoleFor, targetFile, withTargets } from '../../core/tuf/transitions.js';
import { policyTargetName, requiredPolicyBytes } from '../../core/verify/intoto-policy.js';
import { listDirectory, readFileBounded } from '../../adapters/fs/index.js';
import type { Publication } from '../../adapters/tuf-repo/repository-store.js';
import { commitChange, LoadedRepository, openRepository, withLock, type Change, type RepoContext, type RepoOptions } from '../../adapters/tuf-repo/repository.js';
import { cnabGoWarnings } from '../../core/cnab/cnab-go-warnings.js';
import { loadBundleFile } from '../../adapters/cnab/bundle-file.js';

const MAX_INTOTO_FILE = 64 * 1024 * 1024;
const STEP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface SignOptions extends RepoOptions {
  /** bundle.json (thin) or a thick bundle archive (.tgz); with `stored`, the registry reference or oci:dir:tag. */
  input: string;
  /**
   * The bundle.json blob exactly as stored at `input` (a registry or OCI layout, read and checked against its index
   * by the caller): these bytes are signed, not the canonical form of a file, so that `verify <ref>` finds them.
   */
  stored?: { bytes: Uint8Array; index: string };
  ref: string;
  allowUnpinned?: boolean;
  layout?: string;
  layoutKeys?: string[];
  links?: string;
  /**
   * Sign even when the release does not verify (staged workflows: links added later). Explicit, and the report
   * says so; without it, a release that in-toto would refuse is never signed.
   */
  allowUnverified?: boolean;
  /**
   * Check the new state before it is published: called, holding the lock, with a private copy of the repository
   * that has the signed change applied (`location`: its metadata directory). If it throws, nothing is published.
   */
  beforePublish?: (staged: { location: string }) => Promise<void>;
}

/** What sign checked before signing (CNAB-Sec 303 steps 5-7 as an installer will run them). */
export interface ReleaseCheck {
  /** The supply chain verified with this bundle as its final product (false: nothing to verify, or refused). */
  verified: boolean;
  /** The layout the release is bound to (target name), when it has one. */
  layout?: string;
  /** Steps and the links that counted. */
  steps: { name: string; links: string[] }[];
  /** Inspections are not run by sign (they run at verify); how many the layout declares. */
  inspectionsDeclared: number;
  /** Signed although it did not verify (--allow-unverified): the in-toto error. */
  allowedUnverified?: ReturnType<CnabTrustError['toJSON']>;
  /** No layout and no links: there is no supply chain to check. */
  noSupplyChain?: boolean;
}

export interface TargetReport {
  name: string;
  length: number;
  hashes: Record<string, string>;
  custom?: Record<string, unknown>;
}

export interface SignReport {
  target: TargetReport;
  role: string;
  kind: 'thin' | 'thick';
  /** Signed from a registry or OCI layout: the reference and the digest of the bundle's index. */
  stored?: { reference: string; index: string; canonical: boolean };
  layout?: TargetReport;
  layoutKeys: TargetReport[];
  links: TargetReport[];
  check: ReleaseCheck;
  published: boolean;
  versions: Record<string, number>;
  /** E.g. that Porter or cnab-to-oci would store this bundle as other bytes than were signed (sign the stored one). */
  warnings: string[];
  /** Files and bytes this sign wrote into the repository (target files included). */
  written: { files: number; bytes: number };
  /** A store shared by concurrent signers: how long this sign waited for and held snapshot and timestamp. */
  lockTimings?: { onlineLockWaitMs?: number; onlineLockHeldMs?: number };
}

interface SignedArtifact {
  kind: 'thin' | 'thick';
  bytes: Buffer;
  bundle: Bundle;
  /** `sha256:<hex>` of the canonical bundle.json (for a thin bundle from a file, of the target bytes). */
  bundleDigest: string;
  /** Stored bundles: whether the stored bytes were canonical. */
  canonical?: boolean;
  /** A thin bundle from a file: Porter or cnab-to-oci would store other bytes (cnab-go marshalling). */
  warnings?: string[];
}

/** Thick archives are stored in the repository as target files, so they are read whole (bounded). */
const MAX_THICK_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/** A bundle that does not pin its images cannot survive relocation (CNAB-Sec 303 compares contentDigest). */
function checkPinned(bundle: Bundle, allowUnpinned: boolean): void {
  if (allowUnpinned) return;
  requirePinned(bundleImages(bundle), 'push the bundle first (fixup fills the digests), or pass --allow-unpinned');
}

/**
 * A stored bundle: the blob's bytes exactly as stored are the signed artifact (CNAB-Sec 300: what the verifier
 * fetches), whether or not they are canonical; `custom.digest` stays the digest of their canonical form.
 */
function storedArtifact(input: string, stored: NonNullable<SignOptions['stored']>, allowUnpinned: boolean): SignedArtifact {
  const c = canonicalizeBundleBytes(stored.bytes, { source: `${input} (bundle config blob)` });
  checkPinned(c.bundle, allowUnpinned);
  return { kind: 'thin', bytes: Buffer.from(stored.bytes), bundle: c.bundle, bundleDigest: c.digest, canonical: c.canonical };
}

async function readBundleInput(input: string, allowUnpinned: boolean): Promise<SignedArtifact> {
  const loaded = await loadBundleFile(input);
  if (loaded.kind === 'thin') {
    checkPinned(loaded.bundle, allowUnpinned);
    const warnings = cnabGoWarnings(input, cnabGoStoredForm(loaded.bundle, loaded.bytes));
    return { kind: 'thin', bytes: loaded.bytes, bundle: loaded.bundle, bundleDigest: loaded.digest, warnings };
  }
  // A thick bundle (CNAB 104): the signed artifact is the archive's bytes as stored (CNAB-Sec 300).
  const bytes = await readFileBounded(input, { maxBytes: MAX_THICK_BYTES, what: 'thick bundle' });
  if (`sha256:${sha256Hex(bytes)}` !== loaded.archive!.digest) {
    throw new CnabTrustError('E_IO', `${input} changed while it was read`, { subject: input });
  }
  return { kind: 'thick', bytes, bundle: loaded.bundle, bundleDigest: loaded.digest };
}

/** A link file as in-toto reads it; bytes that are not JSON are not an in-toto link (E_INTOTO_INVALID). */
function loadLink(bytes: Uint8Array, file: string): ReturnType<typeof loadMetablock> {
  try {
    return loadMetablock(bytes, file);
  } catch (e) {
    if (isCnabTrustError(e) && e.code.startsWith('E_JSON_')) {
      throw new CnabTrustError('E_INTOTO_INVALID', `not a JSON in-toto link: ${file}`, { subject: file, cause: e });
    }
    throw e;
  }
}

/** Link files of a directory, named `<step>.<keyid8>.link` after their content (in-toto link naming). */
async function readLinks(dir: string, gun: string, bundleSha256: string): Promise<{ name: string; bytes: Buffer; file: string }[]> {
  const names = (await listDirectory(dir)).filter((n) => n.endsWith('.link')).sort();
  if (names.length === 0) throw new CnabTrustError('E_FILE_NOT_FOUND', `no *.link files in ${dir}`, { subject: dir });
  const out: { name: string; bytes: Buffer; file: string }[] = [];
  for (const n of names) {
    const file = path.join(dir, n);
    const bytes = await readFileBounded(file, { maxBytes: MAX_INTOTO_FILE, what: 'in-toto link' });
    const link = loadLink(bytes, file);
    const step = link.signed.kind === 'link' ? link.signed.link.name : undefined;
    const keyid = link.signatures[0]?.keyid;
    if (typeof step !== 'string' || !STEP_NAME.test(step) || typeof keyid !== 'string' || !/^[0-9a-f]{8,}$/.test(keyid)) {
      throw new CnabTrustError('E_INTOTO_INVALID', `not a signed in-toto link with a usable step name: ${file}`, { subject: file });
    }
    // CNAB-Sec 301: links of one bundle live under <gun>/in-toto-metadata/<bundle-sha256>/<step>.<keyid8>.link.
    out.push({ name: linkTargetName(gun, bundleSha256, `${step}.${keyid.slice(0, 8)}.link`), bytes, file });
  }
  return out;
}

/** Custom field of a layout target: which layout is the current one (the highest serial, CNAB-Sec 301 names). */
const LAYOUT_SERIAL = 'layout-serial';
/** Custom field of a bundle target: its layout and layout key targets with their lengths and hashes. */
export const BOUND_TARGETS = 'in-toto-targets';

function serialOf(t: TargetFile): number {
  const v = (t.unrecognizedFields.custom as Record<string, unknown> | undefined)?.[LAYOUT_SERIAL];
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : 0;
}

/**
 * The layout a sign without --layout binds a release to: of the layouts `targets` signs for this GUN
 * (content-addressed, or the one older releases named root.layout), the one signed last (highest serial).
 */
function currentLayout(targets: Metadata<Targets>, gun: string): TargetFile | undefined {
  let best: TargetFile | undefined;
  for (const [name, t] of Object.entries(targets.signed.targets)) {
    if (name !== layoutTargetName(gun) && layoutHashOf(gun, name) === undefined) continue;
    if (best === undefined || serialOf(t) > serialOf(best)) best = t;
  }
  return best;
}

/** Whether `files` are signed by `targets` already, as they are (the layout: the current one). */
function sameTargets(targets: Metadata<Targets>, current: TargetFile | undefined, files: TargetFile[]): boolean {
  const [layout, ...keys] = files;
  if (current === undefined || current.path !== layout!.path) return false;
  const listed = (current.unrecognizedFields.custom as Record<string, unknown> | undefined)?.['in-toto'];
  if (JSON.stringify(listed) !== JSON.stringify(keys.map((k) => k.path))) return false;
  return keys.every((k) => targets.signed.targets[k.path]?.hashes.sha256 === k.hashes.sha256);
}

/** Name -> {length, hashes} of the layout and its key targets (those given now, or those `targets` signs). */
function boundTargets(layout: TargetFile, targets: Metadata<Targets> | undefined, given: TargetFile[]): Record<string, unknown> {
  const entry = (t: TargetFile): { length: number; hashes: Record<string, string> } => ({ length: t.length, hashes: { sha256: t.hashes.sha256! } });
  const out: Record<string, unknown> = { [layout.path]: entry(layout) };
  const keyNames = ((layout.unrecognizedFields.custom as Record<string, unknown> | undefined)?.['in-toto'] ?? []) as string[];
  for (const k of keyNames) {
    const t = given.find((g) => g.path === k) ?? targets?.signed.targets[k];
    if (t !== undefined) out[k] = entry(t);
  }
  return out;
}

/** Apply the publication to a staging copy of the repository and let `check` judge it there; then drop the copy. */
async function checkStaged(ctx: RepoContext, pub: Publication, check: NonNullable<SignOptions['beforePublish']>): Promise<void> {
  if (ctx.store.stage === undefined) {
    throw new CnabTrustError('E_USAGE', `the repository store at ${ctx.store.location} has no staging area`, { subject: ctx.store.location });
  }
  const staged = await ctx.store.stage(pub);
  try {
    await check({ location: staged.location });
  } finally {
    await staged.drop();
  }
}

interface ChainToCheck {
  /** The layout's target name. */
  name: string;
  bytes: Uint8Array;
  keys: SslibPublicKey[];
}

/** The layout `targets` signs now and its key targets, read back from the repository (a later sign without --layout). */
async function publishedChain(ctx: RepoContext, targets: Metadata<Targets>, layout: TargetFile): Promise<ChainToCheck> {
  const read = (t: TargetFile): Promise<Buffer> => ctx.store.readTargetFile(t.path, t.hashes.sha256!, MAX_INTOTO_FILE);
  const keys: SslibPublicKey[] = [];
  for (const name of layoutKeyTargets({ name: layout.path, custom: layout.unrecognizedFields.custom as Record<string, unknown> | undefined })) {
    const t = targets.signed.targets[name];
    if (t === undefined) throw new CnabTrustError('E_INTOTO_INVALID', `the layout ${layout.path} lists key ${name}, which targets does not sign`, { subject: name });
    keys.push(parsePublicKeyFile(await read(t), name));
  }
  return { name: layout.path, bytes: await read(layout), keys };
}

/**
 * CNAB-Sec 303 steps 5-7 as sign's precondition: the layout is signed by the given layout keys and not expired,
 * every step has enough links signed by its functionaries, the rules pass, and the final product is this bundle.
 * Inspections are left to verify (they run commands). A failure is the exact in-toto error, unless
 * --allow-unverified (then the report carries it).
 */
async function checkRelease(
  chain: ChainToCheck | undefined,
  links: { name: string; bytes: Buffer }[],
  bundleSha256: string,
  now: Date,
  allowUnverified: boolean,
): Promise<ReleaseCheck> {
  if (chain === undefined && links.length === 0) return { verified: false, steps: [], inspectionsDeclared: 0, noSupplyChain: true };
  const check: ReleaseCheck = { verified: false, steps: [], inspectionsDeclared: 0, ...(chain === undefined ? {} : { layout: chain.name }) };
  try {
    if (chain === undefined) {
      throw new CnabTrustError('E_INTOTO_INVALID', 'links were given, but the repository has no root layout to verify them with', {
        subject: '--links',
        hint: 'sign the layout with its keys too (--layout ... --layout-keys ...)',
      });
    }
    const layout = loadMetablock(chain.bytes, chain.name);
    const source = new MemoryMetadataSource();
    for (const l of links) source.add(linkPathSegments(l.name, bundleSha256), l.bytes);
    const result = await verifySupplyChain({ layout, layoutKeys: chain.keys, links: source, now });
    assertFinalProduct(result.summary, bundleSha256, chain.name);
    check.verified = true;
    check.steps = result.steps.map((st) => ({ name: st.name, links: st.links }));
    check.inspectionsDeclared = layout.signed.kind === 'layout' ? layout.signed.layout.model.inspect.length : 0;
    return check;
  } catch (e) {
    if (!isCnabTrustError(e) || e.category !== 'verification' || !allowUnverified) {
      if (isCnabTrustError(e) && e.category === 'verification') {
        throw new CnabTrustError(e.code, `the release does not verify, nothing was signed: ${e.message}`, {
          ...(e.subject === undefined ? {} : { subject: e.subject }),
          hint: `${e.hint === undefined ? '' : `${e.hint}; `}fix the layout, keys or links (in-toto verify shows the same), or pass --allow-unverified for a staged workflow`,
          ...(e.details === undefined ? {} : { details: e.details }),
          cause: e,
        });
      }
      throw e;
    }
    check.allowedUnverified = e.toJSON();
    return check;
  }
}

/** Every file `sign` publishes is scanned before anything is written: a private key is never published. */
function assertNoPrivateKey(target: string, bytes: Uint8Array, source: string): void {
  const secret = privateKeyMaterialIn(bytes);
  if (secret === undefined) return;
  throw new CnabTrustError('E_KEY_PRIVATE', `${source} holds ${secret}: it would be published as target ${target}; nothing was written`, {
    subject: source,
    hint: 'a private key must never be published: remove it from the file (a layout lists public keys only) and sign again',
    details: { file: source, target },
  });
}

function report(t: TargetFile): TargetReport {
  const custom = t.unrecognizedFields.custom as Record<string, unknown> | undefined;
  return { name: t.path, length: t.length, hashes: { ...t.hashes }, ...(custom === undefined ? {} : { custom }) };
}

export async function signBundle(opts: SignOptions): Promise<SignReport> {
  const ctx = await openRepository(opts);
  const { gun, tag } = parseBundleRef(opts.ref);
  if (gun !== ctx.config.gun) {
    throw new CnabTrustError('E_TUF_DELEGATION', `${opts.ref} is not in this repository's GUN ${ctx.config.gun}`, {
      subject: opts.ref,
      hint: `targets/releases is delegated ${ctx.config.gun}:* only; use the repository made for ${gun}`,
    });
  }
  if ((opts.layoutKeys?.length ?? 0) > 0 && opts.layout === undefined) {
    throw new CnabTrustError('E_USAGE', '--layout-keys needs --layout', { subject: '--layout-keys' });
  }
  const artifact =
    opts.stored === undefined ? await readBundleInput(opts.input, opts.allowUnpinned ?? false) : storedArtifact(opts.input, opts.stored, opts.allowUnpinned ?? false);
  const bundleSha = sha256Hex(artifact.bytes);
  const name = bundleTargetName(gun, tag);

  const targetFiles: Change['targetFiles'] = [];
  const add = (tname: string, bytes: Uint8Array, source: string, custom?: Record<string, unknown>): TargetFile => {
    assertNoPrivateKey(tname, bytes, source); // before anything is written (and before verifying what it says)
    const t = targetFile(tname, bytes, custom);
    targetFiles.push({ name: tname, sha256: t.hashes.sha256!, bytes });
    return t;
  };

  // The layout and its keys: targets of the top-level targets role (CNAB-Sec 301).
  let layoutTarget: TargetFile | undefined;
  let policyTarget: TargetFile | undefined;
  const keyTargets: TargetFile[] = [];
  const layoutKeys: SslibPublicKey[] = [];
  let layoutBytes: Buffer | undefined;
  if (opts.layout !== undefined) {
    if ((opts.layoutKeys?.length ?? 0) === 0) {
      throw new CnabTrustError('E_USAGE', '--layout needs --layout-keys (the public keys that verify it)', { subject: '--layout' });
    }
    for (const f of opts.layoutKeys ?? []) {
      const bytes = await readFileBounded(f, { maxBytes: 64 * 1024, what: 'public key' });
      const key = parsePublicKeyFile(bytes, f, '--layout-keys'); // keyid as in-toto computes it: the layout names keys so
      layoutKeys.push(key);
      // Only the derived public key, in its canonical form, is published (never the file as given).
      keyTargets.push(add(layoutKeyTargetName(gun, key.keyid), canonicalPublicKeyFile(key), f));
    }
    layoutBytes = await readFileBounded(opts.layout, { maxBytes: MAX_INTOTO_FILE, what: 'in-toto layout' });
    // content-addressed: a new layout gets a new name, the ones earlier releases are bound to stay (CNAB-Sec 301)
    layoutTarget = add(versionedLayoutTargetName(gun, sha256Hex(layoutBytes)), layoutBytes, opts.layout, { 'in-toto': keyTargets.map((k) => k.path) });
    // targets, not the releases key, says that this GUN's bundles need their supply chain
    policyTarget = add(policyTargetName(gun), requiredPolicyBytes(), 'the in-toto policy');
  }
  const links = opts.links === undefined ? [] : await readLinks(opts.links, gun, bundleSha);
  const linkTargets = links.map((l) => add(l.name, l.bytes, l.file));

  return withLock(ctx, async () => {
    const repo = await LoadedRepository.load(ctx.store);
    // Signers share the repository: lock the roles this sign writes before reading them (targets first).
    if (layoutTarget !== undefined) await repo.lockForChange([TARGETS]);
    const targets = await repo.targetsRole(TARGETS);
    const current = currentLayout(targets, gun);
    // A layout given again while it is the current one, with the same keys, changes nothing in targets (no need
    // for the offline targets key); otherwise it becomes the current layout (the next serial).
    if (layoutTarget !== undefined && !sameTargets(targets, current, [layoutTarget, ...keyTargets])) {
      layoutTarget = targetFile(layoutTarget.path, layoutBytes!, {
        ...(layoutTarget.unrecognizedFields.custom as Record<string, unknown>),
        [LAYOUT_SERIAL]: (current === undefined ? 0 : serialOf(current)) + 1,
      });
    } else if (layoutTarget !== undefined) {
      layoutTarget = current;
    }
    const layout = layoutTarget ?? current;
    // CNAB-Sec 303 steps 5-7 before signing: the release must verify as an installer will verify it.
    let chain: ChainToCheck | undefined;
    if (layoutBytes !== undefined) chain = { name: layout!.path, bytes: layoutBytes, keys: layoutKeys };
    else if (current !== undefined) chain = await publishedChain(ctx, targets, current);
    const check = await checkRelease(chain, links, bundleSha, ctx.now, opts.allowUnverified ?? false);
    const inToto = layout !== undefined || linkTargets.length > 0 ? [...(layout !== undefined ? [layout.path] : []), ...linkTargets.map((l) => l.path)] : undefined;
    // The release is bound to its layout and layout keys: their names and hashes, signed with the release.
    const bound = layout === undefined ? undefined : boundTargets(layout, layoutTarget === undefined ? targets : undefined, keyTargets);
    const bundleTarget = add(name, artifact.bytes, opts.input, {
      name: artifact.bundle.name,
      version: artifact.bundle.version,
      digest: artifact.bundleDigest,
      ...(inToto === undefined ? {} : { 'in-toto': inToto }),
      ...(bound === undefined ? {} : { [BOUND_TARGETS]: bound }),
    });

    const changed = new Map<string, Metadata<Targets>>();
    const policyChanged = policyTarget !== undefined && targets.signed.targets[policyTarget.path]?.hashes.sha256 !== policyTarget.hashes.sha256;
    if (layoutTarget !== undefined && (layoutTarget !== current || policyChanged)) {
      const files = [...(layoutTarget === current ? [] : [layoutTarget, ...keyTargets]), ...(policyChanged ? [policyTarget!] : [])];
      changed.set(TARGETS, withTargets(targets, files, ctx.now, ctx.days(TARGETS)));
    }
    // Bundle and links go to targets/releases, or to the TAP 15 bin of each name.
    const releases = await repo.targetsRole(RELEASES);
    const byRole = new Map<string, TargetFile[]>();
    for (const t of [bundleTarget, ...linkTargets]) {
      const role = releasesRoleFor(releases, t.path);
      byRole.set(role, [...(byRole.get(role) ?? []), t]);
    }
    await repo.lockForChange([...byRole.keys()]);
    for (const [role, files] of byRole) {
      changed.set(role, withTargets(await repo.targetsRole(role), files, ctx.now, ctx.days(role)));
    }
    const onStaged = opts.beforePublish;
    const result = await commitChange(ctx, repo, {
      description: `sign ${name}`,
      targetsRoles: changed,
      targetFiles,
      ...(onStaged === undefined ? {} : { beforePublish: (pub: Publication) => checkStaged(ctx, pub, onStaged) }),
    });
    return {
      target: report(bundleTarget),
      role: releasesRoleFor(releases, name),
      kind: artifact.kind,
      ...(opts.stored === undefined ? {} : { stored: { reference: opts.input, index: opts.stored.index, canonical: artifact.canonical ?? false } }),
      ...(layoutTarget === undefined ? {} : { layout: report(layoutTarget) }),
      layoutKeys: keyTargets.map(report),
      links: linkTargets.map(report),
      check,
      published: result.published,
      versions: result.versions,
      warnings: artifact.warnings ?? [],
      written: { ...ctx.store.written },
      // the store fills in the held time when the lock is released, after this report is made
      ...(ctx.store.timings === undefined ? {} : { lockTimings: ctx.store.timings }),
    };
  }, 'shared');
}
