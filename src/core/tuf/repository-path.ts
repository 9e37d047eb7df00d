/**
 * Where a requested URL path lives in a TUF repository directory.
 *
 * TUF clients (tuf-js, python-tuf) URL-encode delegated role names, so `targets/releases` version 3 is requested
 * as `3.targets%2Freleases.json`. Static file servers decode `%2F`, so repositories store that file nested as
 * `3.targets/releases.json` (docs/architecture.md §5). Our server and our directory fetcher resolve requests the same way,
 * so one directory works behind any of them.
 *
 * Pure: turns an (untrusted) URL path into path segments, refusing anything that could leave the repository.
 */
import { CnabTrustError } from '../errors.js';

/**
 * The path segments a URL path names inside a repository, with every percent-escape decoded (`%2F` becomes a
 * directory separator). Refuses traversal (`..`, `.`), empty segments, backslashes and NUL bytes.
 *
 * @param urlPath the path part of a request URL, relative to the repository root (no query string).
 */
export function repositoryPathSegments(urlPath: string): string[] {
  let decoded: string;
  try {
    decoded = urlPath
      .split('/')
      .map((s) => decodeURIComponent(s))
      .join('/');
  } catch (cause) {
    throw new CnabTrustError('E_USAGE', 'request path has an invalid percent-escape', { subject: urlPath, cause });
  }
  const segments = decoded.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
  if (segments.length === 0) {
    throw new CnabTrustError('E_USAGE', 'request path names no file', { subject: urlPath });
  }
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0')) {
      throw new CnabTrustError('E_USAGE', 'request path leaves the repository or is malformed', { subject: urlPath });
    }
  }
  return segments;
}
