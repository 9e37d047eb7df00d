/**
 * Making in-toto metadata files: signatures over the model's signing bytes, and the file text exactly as
 * in-toto 1.3.1 writes it (`Metablock.dump`: Python `json.dumps(indent=1, separators=(",", ": "),
 * sort_keys=True)`, ASCII only), so a link or layout we write is byte-for-byte what the reference would write
 * for the same content.
 */
import { Buffer } from 'node:buffer';
import { compareCodePoints } from '../canonical/olpc.js';
import type { Signer } from '../crypto/signer.js';
import { signableBytes, type LayoutModel, type LinkModel, type Signature, type Signed } from './metadata.js';

export interface MetadataEnvelope<M extends LayoutModel | LinkModel = LayoutModel | LinkModel> {
  signatures: Signature[];
  signed: M;
}

function signedOf(model: LayoutModel | LinkModel): Signed {
  // signableBytes reads only the model of a layout, so the other parsed members are not needed here.
  return model._type === 'link' ? { kind: 'link', link: model } : ({ kind: 'layout', layout: { model } } as Signed);
}

/**
 * Sign the model with each signer. `existing` signatures are kept (a new signature by the same keyid replaces
 * the old one), as `in-toto-sign --append` does; pass none to replace them all.
 */
export async function signMetadata<M extends LayoutModel | LinkModel>(
  model: M,
  signers: readonly Signer[],
  existing: readonly Signature[] = [],
): Promise<MetadataEnvelope<M>> {
  const bytes = signableBytes(signedOf(model));
  const signatures = [...existing];
  for (const signer of signers) {
    const sig = Buffer.from(await signer.sign(bytes)).toString('hex');
    const i = signatures.findIndex((s) => s.keyid === signer.keyid);
    if (i >= 0) signatures.splice(i, 1);
    signatures.push({ keyid: signer.keyid, sig });
  }
  return { signatures, signed: model };
}

/** Python `json.dumps` string form with `ensure_ascii=True`. */
function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => (c === '\u007f' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function pyDump(v: unknown, depth: number, out: string[]): void {
  if (v === null || v === undefined) {
    out.push('null');
  } else if (typeof v === 'string') {
    out.push(pyString(v));
  } else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    out.push(typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v)); // Python ints have any size
  } else if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push('[]');
      return;
    }
    const pad = '\n' + ' '.repeat(depth + 1);
    out.push('[');
    v.forEach((x, i) => {
      out.push(i === 0 ? pad : ',' + pad);
      pyDump(x, depth + 1, out);
    });
    out.push('\n' + ' '.repeat(depth) + ']');
  } else {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort(compareCodePoints);
    if (keys.length === 0) {
      out.push('{}');
      return;
    }
    const pad = '\n' + ' '.repeat(depth + 1);
    out.push('{');
    keys.forEach((k, i) => {
      out.push(i === 0 ? pad : ',' + pad);
      out.push(pyString(k), ': ');
      pyDump(o[k], depth + 1, out);
    });
    out.push('\n' + ' '.repeat(depth) + '}');
  }
}

/** The file text of a metadata envelope, as in-toto 1.3.1 writes it (no trailing newline). */
export function metadataFileText(envelope: MetadataEnvelope): string {
  const out: string[] = [];
  // a GPG signature is written back with the members it was read with
  const signatures = envelope.signatures.map((s) => (s.gpg === undefined ? { keyid: s.keyid, sig: s.sig } : { keyid: s.keyid, ...s.gpg }));
  pyDump({ ...envelope, signatures }, 0, out);
  return out.join('');
}
