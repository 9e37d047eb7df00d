/**
 * Names that become file names, and artifact paths, checked so that nothing climbs out of the directory it
 * belongs to (E_INTOTO_PATH). Link files are `<step>.<keyid[:8]>.link` and sublayout link folders
 * `<step>.<keyid[:8]>` (in-toto 1.3.1 `FILENAME_FORMAT`, `SUBLAYOUT_LINK_DIR_FORMAT`).
 */
import { CnabTrustError } from '../errors.js';

function pathError(what: string, value: string, source: string): CnabTrustError {
  return new CnabTrustError('E_INTOTO_PATH', `${source}: ${what} ${JSON.stringify(value)} would leave its directory`, {
    subject: source,
    details: { value },
  });
}

/** A step or inspection name: becomes part of a file name, so no separators, no `.`/`..`, no NUL. */
export function checkItemName(name: string, source: string): void {
  if (name === '.' || name === '..' || /[/\\\0]/.test(name)) throw pathError('step name', name, source);
}

/** True when a relative path has a `..` segment or is absolute (POSIX or Windows drive). */
export function climbsOut(p: string): boolean {
  const c = p.charCodeAt(0);
  if (c === 0x2f || c === 0x5c || (p.charCodeAt(1) === 0x3a && /^[A-Za-z]:/.test(p))) return true;
  if (!p.includes('..')) return false;
  return p.split(/[/\\]/).includes('..');
}

/** An artifact path recorded in a link (relative, never climbing out of the recorded directory). */
export function checkArtifactPath(p: string, source: string): void {
  if (climbsOut(p)) throw pathError('artifact path', p, source);
}

/** A rule pattern or MATCH prefix. */
export function checkRulePath(p: string, source: string): void {
  if (climbsOut(p)) throw pathError('rule pattern', p, source);
}

export function linkFileName(step: string, keyid: string): string {
  return `${step}.${keyid.slice(0, 8)}.link`;
}

export function sublayoutDirName(step: string, keyid: string): string {
  return `${step}.${keyid.slice(0, 8)}`;
}

const LINK_FILE = /^(.+)\.([0-9a-f]{8})\.link$/;

/** Split `<step>.<8 hex>.link`, or refuse the name (E_INTOTO_INVALID). */
export function parseLinkFileName(fileName: string): { step: string; keyidPrefix: string } {
  const m = LINK_FILE.exec(fileName);
  if (m === null) {
    throw new CnabTrustError('E_INTOTO_INVALID', `link file name ${JSON.stringify(fileName)} is not <step>.<8 hex digits of the keyid>.link`, {
      subject: fileName,
      hint: 'in-toto finds a link only under the name <step>.<keyid[:8]>.link',
    });
  }
  checkItemName(m[1]!, fileName);
  return { step: m[1]!, keyidPrefix: m[2]! };
}
