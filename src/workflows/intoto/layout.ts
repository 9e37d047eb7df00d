/**
 * `layout create | sign | show`: writing an in-toto root layout from a short description, signing it with one
 * or more keys (the project owner's), and printing what a layout says.
 */
import path from 'node:path';
import { readFileBounded, writeFileAtomic } from '../../adapters/fs/index.js';
import { loadPublicKey, loadSigners } from '../../adapters/intoto/key-files.js';
import type { SslibPublicKey } from '../../core/crypto/keys.js';
import { verifySslibSignature } from '../../core/crypto/verify-signature.js';
import { CnabTrustError } from '../../core/errors.js';
import { buildLayoutModel } from '../../core/intoto/authoring/build-layout.js';
import { descriptionError, parseLayoutDescription } from '../../core/intoto/authoring/layout-description.js';
import { metadataFileText, signMetadata } from '../../core/intoto/envelope.js';
import { MAX_METADATA_BYTES, parseMetadataJson } from '../../core/intoto/json.js';
import { parseLayoutModel, parseMetablock, signableBytes, type LayoutModel, type Metablock } from '../../core/intoto/metadata.js';

const MAX_DESCRIPTION_BYTES = 1024 * 1024;

export interface LayoutSummary {
  layout: string;
  expires: string;
  /** The layout's expiry has passed (in-toto verify would refuse it). */
  expired: boolean;
  readme: string;
  keys: { keyid: string; keytype: string }[];
  steps: { name: string; threshold: number; functionaries: string[]; expectedCommand: unknown[]; materials: string[]; products: string[] }[];
  inspections: { name: string; run: string[]; materials: string[]; products: string[] }[];
  signatures: { keyid: string; verified?: boolean }[];
}

function summarize(file: string, model: LayoutModel, signatures: Metablock['signatures'], verified?: Map<string, boolean>, now: Date = new Date()): LayoutSummary {
  const rule = (r: string[]): string => r.join(' ');
  return {
    layout: file,
    expires: model.expires,
    expired: Date.parse(model.expires) <= now.getTime(),
    readme: model.readme,
    keys: Object.entries(model.keys).sort(([a], [b]) => (a < b ? -1 : 1)).map(([keyid, k]) => ({ keyid, keytype: String((k as { keytype?: unknown }).keytype) })),
    steps: model.steps.map((s) => ({
      name: s.name,
      threshold: Number(s.threshold),
      functionaries: s.pubkeys,
      expectedCommand: s.expected_command,
      materials: s.expected_materials.map(rule),
      products: s.expected_products.map(rule),
    })),
    inspections: model.inspect.map((x) => ({ name: x.name, run: x.run, materials: x.expected_materials.map(rule), products: x.expected_products.map(rule) })),
    signatures: signatures.map((s) => ({ keyid: s.keyid, ...(verified?.has(s.keyid) ? { verified: verified.get(s.keyid)! } : {}) })),
  };
}

export interface LayoutCreateOptions {
  description: string;
  output: string;
  /** Sign right away with these private key files. */
  keys?: string[];
  now?: () => Date;
}

export async function layoutCreate(o: LayoutCreateOptions): Promise<LayoutSummary> {
  const text = (await readFileBounded(o.description, { maxBytes: MAX_DESCRIPTION_BYTES, what: 'layout description' })).toString('utf8');
  const desc = parseLayoutDescription(text, o.description);
  // Functionary key files, relative to the description; a problem with one points at its line.
  const base = path.dirname(o.description);
  const loaded = new Map<string, SslibPublicKey>();
  for (const step of desc.steps) {
    for (const ref of step.functionaries) {
      if (loaded.has(ref.file)) continue;
      try {
        loaded.set(ref.file, await loadPublicKey(path.resolve(base, ref.file), `functionary key of step '${step.name}' (${o.description})`));
      } catch (e) {
        const err = e as CnabTrustError;
        if (err.code === 'E_KEY_PRIVATE') throw err;
        const why = err.code === 'E_FILE_NOT_FOUND' ? 'does not exist' : `is not a usable public key (${err.code}: ${err.message})`;
        throw descriptionError(ref.at, `functionary key file '${ref.file}' of step '${step.name}' ${why}`, 'functionary key files are relative to the description file');
      }
    }
  }
  const model = buildLayoutModel(desc, (ref) => loaded.get(ref.file)!, (o.now ?? (() => new Date()))());
  parseLayoutModel(model as unknown as Record<string, unknown>, o.output); // what we write, our verifier reads
  const signers = await loadSigners(o.keys ?? []);
  const envelope = await signMetadata(model, signers);
  await writeFileAtomic(o.output, metadataFileText(envelope));
  return summarize(o.output, model, envelope.signatures);
}

async function readLayout(file: string): Promise<{ mb: Metablock; model: LayoutModel }> {
  const bytes = await readFileBounded(file, { maxBytes: MAX_METADATA_BYTES, what: 'layout' });
  const mb = parseMetablock(parseMetadataJson(bytes, file), file);
  if (mb.signed.kind !== 'layout') throw new CnabTrustError('E_INTOTO_INVALID', `${file} is a link, not a layout`, { subject: file });
  return { mb, model: mb.signed.layout.model };
}

export interface LayoutSignOptions {
  layout: string;
  keys: string[];
  /** Keep the signatures already there (a key that signed before is replaced); default: replace them all. */
  append?: boolean;
  output?: string;
}

export async function layoutSign(o: LayoutSignOptions): Promise<LayoutSummary> {
  if (o.keys.length === 0) throw new CnabTrustError('E_USAGE', 'give at least one --key to sign with', { subject: '--key' });
  const { mb, model } = await readLayout(o.layout);
  const signers = await loadSigners(o.keys);
  const envelope = await signMetadata(model, signers, o.append ? mb.signatures : []);
  const out = o.output ?? o.layout;
  await writeFileAtomic(out, metadataFileText(envelope));
  return summarize(out, model, envelope.signatures);
}

export async function layoutShow(o: { layout: string; layoutKeys?: string[]; now?: () => Date }): Promise<LayoutSummary> {
  const { mb, model } = await readLayout(o.layout);
  let verified: Map<string, boolean> | undefined;
  if (o.layoutKeys !== undefined && o.layoutKeys.length > 0) {
    verified = new Map();
    const bytes = signableBytes(mb.signed);
    for (const file of o.layoutKeys) {
      const key = await loadPublicKey(file, '--layout-keys');
      const sig = mb.signatures.find((s) => s.keyid === key.keyid);
      if (sig !== undefined) verified.set(sig.keyid, verifySslibSignature(key, sig.sig, bytes));
    }
  }
  return summarize(o.layout, model, mb.signatures, verified, (o.now ?? (() => new Date()))());
}

/** The human form of a layout summary. */
export function layoutText(s: LayoutSummary): string {
  const k8 = (k: string): string => k.slice(0, 8);
  const lines = [`layout ${s.layout}`, `  expires: ${s.expires}${s.expired ? ' (EXPIRED: verification will refuse it)' : ''}`];
  if (s.readme !== '') lines.push(`  readme:  ${s.readme}`);
  lines.push(`  signatures: ${s.signatures.length === 0 ? 'none (sign it: cnab-trust layout sign)' : s.signatures.map((x) => k8(x.keyid) + (x.verified === undefined ? '' : x.verified ? ' (valid)' : ' (INVALID)')).join(', ')}`);
  lines.push(`  functionary keys: ${s.keys.map((k) => `${k8(k.keyid)} (${k.keytype})`).join(', ') || 'none'}`);
  for (const st of s.steps) {
    lines.push(`  step ${st.name}: ${st.threshold} of [${st.functionaries.map(k8).join(', ')}]${st.expectedCommand.length > 0 ? `, expects \`${st.expectedCommand.join(' ')}\`` : ''}`);
    for (const r of st.materials) lines.push(`    materials: ${r}`);
    for (const r of st.products) lines.push(`    products:  ${r}`);
  }
  for (const x of s.inspections) {
    lines.push(`  inspection ${x.name}: runs \`${x.run.join(' ')}\``);
    for (const r of x.materials) lines.push(`    materials: ${r}`);
    for (const r of x.products) lines.push(`    products:  ${r}`);
  }
  return lines.join('\n');
}
