/**
 * A file given as the trusted root must be TUF root metadata (TUF client workflow 5.2 loads it as the trusted
 * root). Checked before anything is fetched, so that a layout, a key or another role's file given by mistake is
 * named as such instead of surfacing as a JSON or signature error of the repository.
 */
import { CnabTrustError } from '../errors.js';
import { parseJson } from '../json/parse.js';

const HINT = "give the repository's root metadata (e.g. its 1.root.json), obtained out of band";

/** Throws E_TUF_INVALID naming `source` unless `bytes` is a signed TUF root (`{"signed": {"_type": "root"}, ...}`). */
export function checkTrustedRootFile(bytes: Uint8Array, source: string): void {
  let doc: unknown;
  try {
    doc = parseJson(bytes);
  } catch {
    throw new CnabTrustError('E_TUF_INVALID', `${source} is not TUF root metadata: not JSON`, { subject: source, hint: HINT });
  }
  const signed = (doc as { signed?: unknown } | null)?.signed;
  const type = signed !== null && typeof signed === 'object' ? (signed as { _type?: unknown })._type : undefined;
  if (type !== 'root') {
    const what = typeof type === 'string' ? `its signed._type is '${type}'` : 'a JSON document without signed._type';
    throw new CnabTrustError('E_TUF_INVALID', `${source} is not TUF root metadata (${what})`, { subject: source, hint: HINT });
  }
}
