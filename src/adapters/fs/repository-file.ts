/**
 * Open a file of a TUF repository directory named by a request path, the way static servers resolve it
 * (`%2F` decoded into nested directories, see core/tuf/repository-path.ts), without ever leaving the directory:
 * traversal segments are refused, and a symbolic link that resolves outside the repository is refused too.
 * Used by the directory fetcher of the TUF client and by `cnab-trust serve`, so both see the same tree.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { repositoryPathSegments } from '../../core/tuf/repository-path.js';
import { CnabTrustError, isCnabTrustError } from '../../core/errors.js';

export type RepositoryFile =
  | { kind: 'file'; path: string; size: number; open: () => ReadStream }
  | { kind: 'missing' }
  | { kind: 'refused'; reason: string };

/**
 * Resolve `urlPath` (percent-encoded, relative to the repository root) to a regular file inside `rootDir`.
 * Never throws for a bad request: the caller maps `missing` to 404 and `refused` to 403.
 */
export async function resolveRepositoryFile(rootDir: string, urlPath: string): Promise<RepositoryFile> {
  let segments: string[];
  try {
    segments = repositoryPathSegments(urlPath);
  } catch (e) {
    if (isCnabTrustError(e)) return { kind: 'refused', reason: e.message };
    throw e;
  }
  // the writer's private state (`.cnab-trust/`) and any other dot path is not part of the repository
  // (metadata/README.md): answer as if absent
  if (segments.some((s) => s.startsWith('.'))) return { kind: 'missing' };
  let root: string;
  try {
    root = await realpath(rootDir);
  } catch (cause) {
    throw new CnabTrustError('E_FILE_NOT_FOUND', 'repository directory does not exist', { subject: rootDir, cause });
  }
  let real: string;
  try {
    real = await realpath(path.join(root, ...segments));
  } catch {
    return { kind: 'missing' };
  }
  if (real !== root && !real.startsWith(root + path.sep)) {
    return { kind: 'refused', reason: 'a link leads outside the repository' };
  }
  const info = await stat(real);
  if (!info.isFile()) return { kind: 'missing' };
  return { kind: 'file', path: real, size: info.size, open: () => createReadStream(real) };
}
