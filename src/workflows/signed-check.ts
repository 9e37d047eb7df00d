/**
 * "Is this bundle already signed in that metadata repository?" — asked by `push --fixup`, which changes the bundle
 * and so would invalidate a signature. A TUF repository directory signs a bundle as a target whose `hashes.sha256`
 * is the canonical bundle digest (CNAB-Sec 301); this scans the targets metadata files of the directory for it.
 * Read-only and bounded; it does not verify signatures (it only prevents an accident, it grants no trust).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readFileBounded } from '../adapters/fs/index.js';
import { CnabTrustError } from '../core/errors.js';

const MAX_FILES = 10_000;
const MAX_FILE_BYTES = 64 * 1024 * 1024;

async function* jsonFiles(dir: string, depth = 0): AsyncGenerator<string> {
  if (depth > 8) return;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (depth === 0) {
      throw new CnabTrustError('E_FILE_NOT_FOUND', `metadata repository ${dir} cannot be read: ${(e as NodeJS.ErrnoException).code ?? ''}`, { subject: dir });
    }
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* jsonFiles(p, depth + 1);
    else if (e.isFile() && e.name.endsWith('.json')) yield p;
  }
}

/** Whether any targets metadata under `metadataDir` lists a target with sha256 `bundleDigest` (`sha256:<hex>`). */
export async function bundleSignedIn(metadataDir: string, bundleDigest: string): Promise<boolean> {
  const hex = bundleDigest.replace(/^sha256:/, '');
  let n = 0;
  for await (const file of jsonFiles(metadataDir)) {
    if (++n > MAX_FILES) break;
    let doc: unknown;
    try {
      doc = JSON.parse((await readFileBounded(file, { maxBytes: MAX_FILE_BYTES, what: 'metadata' })).toString('utf8'));
    } catch {
      continue;
    }
    const targets = (doc as { signed?: { _type?: unknown; targets?: unknown } }).signed;
    if (targets?._type !== 'targets' || typeof targets.targets !== 'object' || targets.targets === null) continue;
    for (const t of Object.values(targets.targets as Record<string, { hashes?: Record<string, unknown> }>)) {
      if (t?.hashes?.sha256 === hex) return true;
    }
  }
  return false;
}
