/**
 * The one fetcher a tuf-js `Updater` gets: it sends `file:` URLs of repository directories to their
 * `DirectoryFetcher` and `http(s):` URLs to our guarded HTTP fetcher (idle timeout and deadline; it raises
 * `DownloadHTTPError` for 403/404, as the root rotation loop requires), and remembers which role's file was requested last so that a
 * failure can name the role at fault.
 */
import type { Fetcher } from 'tuf-js';
import { DownloadHTTPError } from 'tuf-js/dist/error.js';
import { DirectoryFetcher } from './directory-fetcher.js';
import { GuardedHttpFetcher } from './http-fetcher.js';
import type { NetworkLimits } from '../http/guarded-fetch.js';

export interface HttpOptions extends NetworkLimits {
  /** Retries after a network error or a 5xx answer (tuf-js default 2). */
  retries?: number;
  userAgent?: string;
}

export class RoutingFetcher implements Fetcher {
  private readonly directories: DirectoryFetcher[] = [];
  private readonly http: GuardedHttpFetcher;
  /** The last URL requested, for error reports. */
  lastUrl: string | undefined;

  constructor(http: HttpOptions = {}) {
    this.http = new GuardedHttpFetcher({
      userAgent: http.userAgent ?? 'cnab-trust',
      retries: http.retries ?? 2,
      ...(http.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: http.idleTimeoutMs }),
      ...(http.deadlineMs === undefined ? {} : { deadlineMs: http.deadlineMs }),
    });
  }

  /** The base URL under which the updater must address `location` (an http(s) URL or a directory). */
  baseUrlFor(location: string): string {
    if (/^https?:\/\//i.test(location)) return location;
    const dir = new DirectoryFetcher(location);
    this.directories.push(dir);
    return dir.baseUrl;
  }

  private route(url: string): Fetcher {
    this.lastUrl = url;
    if (/^https?:\/\//i.test(url)) return this.http;
    const dir = this.directories.find((d) => d.handles(url));
    if (dir === undefined) throw new DownloadHTTPError(`no repository location serves ${url}`, 403);
    return dir;
  }

  downloadFile<T>(url: string, maxLength: number, handler: (file: string) => Promise<T>): Promise<T> {
    return this.route(url).downloadFile(url, maxLength, handler);
  }

  downloadBytes(url: string, maxLength: number): Promise<Buffer> {
    return this.route(url).downloadBytes(url, maxLength);
  }

  /** The TUF role whose metadata file the last request named (`3.targets%2Freleases.json` -> `targets/releases`). */
  lastRole(): string | undefined {
    if (this.lastUrl === undefined) return undefined;
    const file = this.lastUrl.replace(/[?#].*$/, '').split('/').pop() ?? '';
    const m = file.match(/^(?:\d+\.)?(.+)\.json$/);
    if (!m) return undefined;
    try {
      return decodeURIComponent(m[1]!);
    } catch {
      return m[1];
    }
  }
}
