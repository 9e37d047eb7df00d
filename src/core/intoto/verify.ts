/**
 * in-toto final-product verification (in-toto spec 1.0 §5, in the order of the reference 1.3.1
 * `in_toto_verify`, which decides which error wins):
 *
 *  1. layout signatures: every given layout key must have a valid signature       (E_INTOTO_LAYOUT_SIGNATURE)
 *  2. layout expiry, against the injected clock                                     (E_INTOTO_LAYOUT_EXPIRED)
 *  3. link loading: `<step>.<keyid[:8]>.link` for each authorized keyid; fewer files than the threshold
 *                                                                                   (E_INTOTO_LINK_NOT_FOUND)
 *  4. link signatures: links with a bad signature or an unauthorized key are dropped; fewer valid links
 *     than the threshold                                                            (E_INTOTO_THRESHOLD)
 *  5. sublayouts: a "link" that is a layout is verified recursively with its signer's key, its links read from
 *     `<step>.<keyid[:8]>/`, and replaced by a summary link
 *  6. command alignment: a link's command differing from the step's expected command is a warning only
 *  7. threshold artifact equality: all links of a step with threshold > 1 report the same artifacts
 *                                                                                   (E_INTOTO_THRESHOLD)
 *  8. step rules: materials then products, step by step in layout order             (E_INTOTO_RULE)
 *  9. inspections: each runs (through the injected runner), non-zero exit fails    (E_INTOTO_INSPECTION);
 *     a sublayout's inspections only when the operator opts in (they are a functionary's commands)
 * 10. inspection rules                                                              (E_INTOTO_RULE)
 *
 * Pure: metadata bytes come from a `MetadataSource`, inspections run through an `InspectionRunner`, "now" is
 * a parameter. Malformed metadata is E_INTOTO_INVALID (or a key/JSON code) wherever it is met.
 */
import { CnabTrustError } from '../errors.js';
import type { SslibPublicKey } from '../crypto/keys.js';
import { verifySslibSignature } from '../crypto/verify-signature.js';
import { isGpgKey, type GpgPublicKey } from '../crypto/gpg-keys.js';
import { gpgKeyExpiry, verifyGpgSignature, type GpgSignature } from '../crypto/gpg-verify.js';
import type { VerificationKey } from '../crypto/verification-key.js';
import { parseMetablock, parseSignatures, signableBytes, type InspectionModel, type Layout, type LinkModel, type Metablock } from './metadata.js';
import { linkFileName, sublayoutDirName } from './paths.js';
import { verifyItemRules } from './rule-engine.js';
import { ArtifactTable, linkArtifacts, linkWithTables } from './artifact-table.js';
import { scanLink } from './link-scanner.js';
import { decodeMetadata, MAX_METADATA_BYTES } from './json.js';

/** Where layouts and links come from: a directory, a TUF repository, memory. */
export interface MetadataSource {
  /** The bytes of file `name` in folder `dir` (path segments below the links root), or undefined if absent. */
  read(dir: readonly string[], name: string): Promise<Uint8Array | undefined>;
}

/** Runs an inspection and records it as a link (materials and products `.`, byproducts with return-value). */
export interface InspectionRunner {
  /**
   * `verified`: the links of this layout's steps whose signatures and rules verified (and earlier inspections),
   * by step name: only these may name files the runner writes (an unsigned link's product names never reach it).
   */
  run(inspection: InspectionModel, verified: ReadonlyMap<string, LinkModel>): Promise<LinkModel>;
}

export interface VerifyOptions {
  /** The root layout (parsed envelope). */
  layout: Metablock;
  /** The project owner's keys: each must have signed the layout (a GPG key with one of its subkeys, too). */
  layoutKeys: readonly VerificationKey[];
  links: MetadataSource;
  now: Date;
  /** Omit to skip inspections (and their rules); the result says so. */
  inspections?: InspectionRunner;
  /**
   * Also run the inspections of sublayouts (default false). A sublayout is signed by a step's functionary, not by
   * the layout owner: its inspections are commands chosen by that functionary, so they run only when the operator
   * opts in; otherwise they are skipped with a warning (their rules then are not checked).
   */
  sublayoutInspections?: boolean;
  /** Called for each command-alignment warning as it is found. */
  onWarning?: (message: string) => void;
}

export interface StepReport {
  name: string;
  /** The link files (or sublayout folders) that counted, in verification order. */
  links: string[];
  sublayout: boolean;
}

export interface VerifyResult {
  verified: true;
  warnings: string[];
  steps: StepReport[];
  /** `sublayoutsSkipped`: inspections of sublayouts not run (no opt-in). */
  inspections: { ran: string[]; skipped: boolean; sublayoutsSkipped: number };
  /** What the supply chain produced: first step's materials, last step's products (the summary link). */
  summary: LinkModel;
}

const MAX_SUBLAYOUT_DEPTH = 8;

function layoutOf(m: Metablock): Layout {
  if (m.signed.kind !== 'layout') {
    throw new CnabTrustError('E_INTOTO_INVALID', `${m.source} is a link, not a layout`, { subject: m.source });
  }
  return m.signed.layout;
}

/** Bytes of a metablock's signed part, computed at most once per metablock. */
const signableCache = new WeakMap<Metablock, Uint8Array>();
function signable(m: Metablock): Uint8Array {
  let b = signableCache.get(m);
  if (b === undefined) {
    b = signableBytes(m.signed);
    signableCache.set(m, b);
  }
  return b;
}

/**
 * Decode and parse a layout or link file. A link in the shape in-toto writes goes through the fast lane
 * (`link-scanner.ts`: signing bytes and artifact tables in one pass); anything else, and every error, through
 * the general parser, which gives the same result for the files the lane takes.
 */
export function loadMetablock(bytes: Uint8Array, source: string): Metablock {
  if (bytes.byteLength <= MAX_METADATA_BYTES) {
    const scanned = scanLink(bytes);
    if (scanned !== undefined) {
      const { materials, products, signedBytes, signatures, ...fields } = scanned;
      const link = linkWithTables({ _type: 'link', ...fields }, materials, products);
      const m: Metablock = { signatures: parseSignatures(signatures, source), signed: { kind: 'link', link }, source };
      signableCache.set(m, signedBytes);
      return m;
    }
  }
  return parseMetablockBytes(bytes, source);
}

/** The general path for layout and link bytes: decode, parse, build the model (what the fast lane must agree with). */
export function parseMetablockBytes(bytes: Uint8Array, source: string): Metablock {
  const { value, plainText } = decodeMetadata(bytes, source);
  return parseMetablock(value, source, plainText);
}

type SignatureCheck = 'ok' | 'missing' | 'invalid' | { expired: GpgPublicKey };

/**
 * Metablock.verify_signature of 1.3.1: the first signature whose keyid is the key's, or (GPG) one of its subkeys',
 * must verify. A GPG key that has expired is securesystemslib's KeyExpirationError; a GPG signature for a
 * securesystemslib key, or the reverse, is its FormatError (schema check of the key), which ends verification.
 */
function checkSignature(m: Metablock, key: VerificationKey, now: Date): SignatureCheck {
  const gpg = isGpgKey(key);
  const sig = m.signatures.find((s) => s.keyid === key.keyid || (gpg && key.subkeys.has(s.keyid)));
  if (sig === undefined) return 'missing';
  if (gpg !== (sig.gpg !== undefined)) {
    throw new CnabTrustError(
      'E_INTOTO_INVALID',
      `${m.source}: ${gpg ? 'a securesystemslib signature' : 'a GPG signature'} by keyid '${sig.keyid}' for ${gpg ? 'a GPG key' : 'a securesystemslib key'}`,
      { subject: m.source, hint: 'in-toto 1.3.1 refuses such metadata too (FormatError)', details: { keyid: sig.keyid } },
    );
  }
  if (gpg) {
    const verdict = verifyGpgSignature(key, { keyid: sig.keyid, ...sig.gpg } as GpgSignature, signable(m), now, `${m.source}: key ${key.keyid}`);
    return verdict;
  }
  return verifySslibSignature(key as SslibPublicKey, sig.sig, signable(m)) ? 'ok' : 'invalid';
}

function expiredError(where: string, key: GpgPublicKey, now: Date): CnabTrustError {
  const at = gpgKeyExpiry(key)?.toISOString() ?? '?';
  return new CnabTrustError('E_KEY_EXPIRED', `${where}: GPG key ${key.keyid} expired at ${at}`, {
    subject: where,
    hint: 'extend the key\'s expiry (gpg --quick-set-expire) and export it again, or sign with a key that has not expired',
    details: { keyid: key.keyid, expired: at, now: now.toISOString() },
  });
}

/** The keyids whose link files a step reads: each authorized keyid, then (GPG) its subkeys (load_links_for_layout). */
function linkKeyids(layout: Layout, authorized: string): string[] {
  const key = layout.keys.get(authorized);
  return key !== undefined && isGpgKey(key) ? [authorized, ...key.subkeys.keys()] : [authorized];
}

/**
 * verify_link_signature_thresholds of 1.3.1: the key that verifies a link file named by `linkKeyid`: an authorized
 * key of that id, the main key of an authorized subkey of that id, or an authorized key that has it as a subkey.
 */
function linkVerificationKey(layout: Layout, pubkeys: readonly string[], linkKeyid: string, mainOfSubkey: Map<string, GpgPublicKey>): VerificationKey | undefined {
  for (const authorized of pubkeys) {
    const key = layout.keys.get(authorized);
    const main = mainOfSubkey.get(authorized);
    if (key !== undefined && linkKeyid === authorized) return key;
    if (main !== undefined && linkKeyid === authorized) return main;
    if (key !== undefined && isGpgKey(key) && key.subkeys.has(linkKeyid)) return key;
  }
  return undefined;
}

function sameCommand(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

interface Context {
  opts: VerifyOptions;
  warnings: string[];
  ranInspections: string[];
  skippedSublayoutInspections: number;
}

async function verifyLayout(
  ctx: Context,
  envelope: Metablock,
  layoutKeys: readonly VerificationKey[],
  dir: readonly string[],
  depth: number,
  summaryName: string,
): Promise<{ summary: LinkModel; steps: StepReport[] }> {
  const where = dir.length === 0 ? envelope.source : `${dir.join('/')}: ${envelope.source}`;

  // in-toto verify: layout signatures (every given key)
  if (layoutKeys.length === 0) {
    throw new CnabTrustError('E_INTOTO_LAYOUT_SIGNATURE', 'layout signature verification needs at least one layout key', { subject: where });
  }
  for (const key of layoutKeys) {
    const r = checkSignature(envelope, key, ctx.opts.now);
    if (typeof r === 'object') throw expiredError(where, r.expired, ctx.opts.now);
    if (r !== 'ok') {
      throw new CnabTrustError(
        'E_INTOTO_LAYOUT_SIGNATURE',
        r === 'missing' ? `${where}: no signature found for key '${key.keyid}'` : `${where}: invalid signature for keyid '${key.keyid}'`,
        { subject: where, details: { keyid: key.keyid, reason: r } },
      );
    }
  }
  const layout = layoutOf(envelope);

  // in-toto verify: expiry
  if (layout.expiresAt.getTime() < ctx.opts.now.getTime()) {
    throw new CnabTrustError('E_INTOTO_LAYOUT_EXPIRED', `${where}: layout expired at ${layout.model.expires}`, {
      subject: where,
      details: { expires: layout.model.expires, now: ctx.opts.now.toISOString() },
    });
  }

  // in-toto verify: link loading per step and authorized keyid
  const loaded = new Map<string, Map<string, Metablock>>();
  for (const step of layout.model.steps) {
    const perKey = new Map<string, Metablock>();
    for (const keyid of step.pubkeys.flatMap((k) => linkKeyids(layout, k))) {
      const name = linkFileName(step.name, keyid);
      const bytes = await ctx.opts.links.read(dir, name);
      if (bytes === undefined) continue;
      const source = [...dir, name].join('/');
      perKey.set(keyid, loadMetablock(bytes, source));
    }
    if (perKey.size < Number(step.threshold)) {
      throw new CnabTrustError(
        'E_INTOTO_LINK_NOT_FOUND',
        `step '${step.name}' requires ${step.threshold} link metadata file(s), found ${perKey.size}`,
        { subject: step.name, details: { step: step.name, threshold: step.threshold, found: perKey.size, dir: dir.join('/') || '.' } },
      );
    }
    loaded.set(step.name, perKey);
  }

  // in-toto verify: link signatures and authorization (bad or unauthorized links are dropped)
  const verified = new Map<string, Map<string, Metablock>>();
  const mainOfSubkey = new Map<string, GpgPublicKey>();
  for (const key of layout.keys.values()) if (isGpgKey(key)) for (const sub of key.subkeys.keys()) mainOfSubkey.set(sub, key);
  for (const step of layout.model.steps) {
    const ok = new Map<string, Metablock>();
    const usedMainKeyids: string[] = [];
    for (const [keyid, link] of loaded.get(step.name)!) {
      const key = linkVerificationKey(layout, step.pubkeys, keyid, mainOfSubkey);
      if (key === undefined) continue;
      // a bad signature or an expired GPG key drops the link (1.3.1 skips it and goes on)
      if (checkSignature(link, key, ctx.opts.now) !== 'ok') continue;
      usedMainKeyids.push(key.keyid);
      ok.set(keyid, link);
    }
    // links signed by different subkeys of one main key count once
    const valid = ok.size - (usedMainKeyids.length - new Set(usedMainKeyids).size);
    if (valid < Number(step.threshold)) {
      throw new CnabTrustError(
        'E_INTOTO_THRESHOLD',
        `step '${step.name}' requires at least ${step.threshold} link(s) validly signed by different authorized functionaries, found ${valid}`,
        { subject: step.name, details: { step: step.name, threshold: step.threshold, valid } },
      );
    }
    verified.set(step.name, ok);
  }

  // in-toto verify: sublayouts (recursive; links from <step>.<keyid[:8]>/)
  const chain = new Map<string, Map<string, LinkModel>>();
  const steps: StepReport[] = [];
  for (const step of layout.model.steps) {
    const links = new Map<string, LinkModel>();
    const report: StepReport = { name: step.name, links: [], sublayout: false };
    for (const [keyid, m] of verified.get(step.name)!) {
      if (m.signed.kind === 'layout') {
        if (depth >= MAX_SUBLAYOUT_DEPTH) {
          throw new CnabTrustError('E_INTOTO_INVALID', `${where}: sublayouts nested deeper than ${MAX_SUBLAYOUT_DEPTH}`, { subject: step.name });
        }
        const subdir = [...dir, sublayoutDirName(step.name, keyid)];
        const subKey = layout.keys.get(keyid);
        if (subKey === undefined) {
          // a sublayout in a file named by a GPG subkey: 1.3.1 looks up layout.keys[subkey], finds nothing (FormatError)
          throw new CnabTrustError('E_INTOTO_INVALID', `${m.source}: sublayout signed under keyid ${keyid}, which is no key of the layout`, { subject: step.name });
        }
        const sub = await verifyLayout(ctx, m, [subKey], subdir, depth + 1, step.name);
        links.set(keyid, sub.summary);
        report.links.push(subdir.join('/') + '/');
        report.sublayout = true;
      } else {
        links.set(keyid, m.signed.link);
        report.links.push(m.source);
      }
    }
    chain.set(step.name, links);
    steps.push(report);
  }

  // in-toto verify: command alignment (a warning only)
  for (const step of layout.model.steps) {
    for (const [keyid, link] of chain.get(step.name)!) {
      if (!sameCommand(link.command, step.expected_command)) {
        const w = `${linkFileName(step.name, keyid)}: run command ${JSON.stringify(link.command)} differs from expected command ${JSON.stringify(step.expected_command)}`;
        ctx.warnings.push(w);
        ctx.opts.onWarning?.(w);
      }
    }
  }

  // in-toto verify: threshold artifact equality
  for (const step of layout.model.steps) {
    if (Number(step.threshold) <= 1) continue;
    const entries = [...chain.get(step.name)!];
    const [refKeyid, ref] = entries[0]!;
    for (const [keyid, link] of entries) {
      if (!linkArtifacts(ref, 'materials').equals(linkArtifacts(link, 'materials')) || !linkArtifacts(ref, 'products').equals(linkArtifacts(link, 'products'))) {
        const a = linkFileName(step.name, refKeyid);
        const b = linkFileName(step.name, keyid);
        throw new CnabTrustError('E_INTOTO_THRESHOLD', `links '${a}' and '${b}' of step '${step.name}' have different artifacts`, {
          subject: step.name,
          details: { step: step.name, links: [a, b] },
        });
      }
    }
  }

  // in-toto verify: step rules (materials then products, in layout order), on the first link of each step
  const reduced = new Map<string, LinkModel>();
  for (const step of layout.model.steps) {
    const first = chain.get(step.name)!.values().next();
    if (first.done === true) {
      // Only with a threshold below 1: 1.3.1 fails here with an IndexError (reduce_chain_links); a verdict instead.
      throw new CnabTrustError(
        'E_INTOTO_THRESHOLD',
        `step '${step.name}' (threshold ${step.threshold}) has no link validly signed by an authorized functionary to check its rules against`,
        { subject: step.name, details: { step: step.name, threshold: step.threshold, valid: 0 } },
      );
    }
    reduced.set(step.name, first.value);
  }
  for (const step of layout.model.steps) {
    const rules = layout.stepRules.get(step.name)!;
    const link = reduced.get(step.name)!;
    verifyItemRules(rules.materials, link, { item: step.name, sourceType: 'materials', links: reduced });
    verifyItemRules(rules.products, link, { item: step.name, sourceType: 'products', links: reduced });
  }

  // in-toto verify: inspections, then inspection rules
  let runner = ctx.opts.inspections;
  if (runner !== undefined && layout.model.inspect.length > 0 && depth > 0 && ctx.opts.sublayoutInspections !== true) {
    const w = `${where}: ${layout.model.inspect.length} inspection(s) of the sublayout of step '${summaryName}' not run (chosen by a functionary, not the layout owner; opt in with --sublayout-inspections)`;
    ctx.warnings.push(w);
    ctx.opts.onWarning?.(w);
    ctx.skippedSublayoutInspections += layout.model.inspect.length;
    runner = undefined;
  }
  if (runner !== undefined && layout.model.inspect.length > 0) {
    const combined = new Map(reduced);
    for (const inspection of layout.model.inspect) {
      const link = await runner.run(inspection, combined);
      const rv = link.byproducts['return-value'];
      if (rv !== 0) {
        const why = link.byproducts['timed-out'] === true ? 'timed out and was killed' : `returned ${String(rv)}`;
        throw new CnabTrustError(
          'E_INTOTO_INSPECTION',
          `inspection '${inspection.name}': command ${JSON.stringify(inspection.run)} ${why}`,
          { subject: inspection.name, details: { inspection: inspection.name, run: inspection.run, returnValue: rv ?? null } },
        );
      }
      ctx.ranInspections.push(inspection.name);
      combined.set(inspection.name, link);
    }
    for (const inspection of layout.model.inspect) {
      const rules = layout.stepRules.get(inspection.name)!;
      const link = combined.get(inspection.name)!;
      verifyItemRules(rules.materials, link, { item: inspection.name, sourceType: 'materials', links: combined });
      verifyItemRules(rules.products, link, { item: inspection.name, sourceType: 'products', links: combined });
    }
  }

  // The summary link (what a superlayout sees for this step): first step's materials, last step's products.
  const { steps: ls } = layout.model;
  const first = ls.length === 0 ? undefined : reduced.get(ls[0]!.name)!;
  const last = ls.length === 0 ? undefined : reduced.get(ls[ls.length - 1]!.name)!;
  const summary = linkWithTables(
    { _type: 'link', name: summaryName, byproducts: last?.byproducts ?? {}, command: last?.command ?? [], environment: {} },
    first === undefined ? ArtifactTable.EMPTY : linkArtifacts(first, 'materials'),
    last === undefined ? ArtifactTable.EMPTY : linkArtifacts(last, 'products'),
  );
  return { summary, steps };
}

/** Verify a supply chain; returns the report or throws a CnabTrustError naming the failing step or rule. */
export async function verifySupplyChain(opts: VerifyOptions): Promise<VerifyResult> {
  const ctx: Context = { opts, warnings: [], ranInspections: [], skippedSublayoutInspections: 0 };
  const skipped = opts.inspections === undefined && layoutOf(opts.layout).model.inspect.length > 0;
  const { summary, steps } = await verifyLayout(ctx, opts.layout, opts.layoutKeys, [], 0, '');
  return { verified: true, warnings: ctx.warnings, steps, inspections: { ran: ctx.ranInspections, skipped, sublayoutsSkipped: ctx.skippedSublayoutInspections }, summary };
}
