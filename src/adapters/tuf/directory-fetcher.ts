/**
 * A tuf-js fetcher that reads a repository from a local directory, resolving request paths exactly as a static
 * HTTP server does (`N.targets%2Freleases.json` -> `N.targets/releases.json`), so a directory and the same
 * directory behind `cnab-trust serve` or `python3 -m http.server` behave alike.
 *
 * The updater is given a `file:` base URL for the directory; this fetcher only answers URLs under it.
 * Missing files raise tuf-js's own `DownloadHTTPError` with status 404: the root rotation loop (TUF client
 * workflow 5.3.3) stops at the first missing `N.root.json` only for that error class.
 */
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { BaseFetcher } from 'tuf-js';
import { DownloadHTTPError } from 'tuf-js/dist/error.js';
import { resolveRepositoryFile } from '../fs/repository-file.js';

export class DirectoryFetcher extends BaseFetcher {
  /** The `file:` URL (with a trailing slash) that names `dir` for the updater. */
  readonly baseUrl: string;

  constructor(private readonly dir: string) {
    super();
    const href = pathToFileURL(dir).href;
    this.baseUrl = href.endsWith('/') ? href : href + '/';
  }

  /** Whether `url` is one this fetcher answers (so one updater can mix a directory and HTTP). */
  handles(url: string): boolean {
    return url.startsWith(this.baseUrl);
  }

  override async fetch(url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    if (!this.handles(url)) throw new DownloadHTTPError(`not under the repository directory: ${url}`, 403);
    const relative = url.slice(this.baseUrl.length).replace(/[?#].*$/, '');
    const file = await resolveRepositoryFile(this.dir, relative);
    if (file.kind === 'missing') throw new DownloadHTTPError(`not found: ${relative}`, 404);
    if (file.kind === 'refused') throw new DownloadHTTPError(`refused: ${relative} (${file.reason})`, 403);
    return Readable.toWeb(file.open()) as unknown as ReadableStream<Uint8Array<ArrayBuffer>>;
  }
}
