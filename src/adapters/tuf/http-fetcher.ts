/**
 * The HTTP fetcher of our TUF client: tuf-js's `BaseFetcher` (bounded download to a temporary file) over
 * `guardedFetch`, so that TUF metadata and target files have an idle timeout and an overall deadline (issue 11
 * item 3; tuf-js's `DefaultFetcher` has one overall `AbortSignal.timeout` and no idle timeout). As tuf-js's own:
 * 403/404 and other failures are `DownloadHTTPError` (the root rotation loop of TUF 5.3.3 stops on 403/404), and
 * network errors and 5xx answers are retried `retries` times. A timeout is not retried.
 */
import { BaseFetcher } from 'tuf-js/dist/fetcher.js';
import { DownloadHTTPError } from 'tuf-js/dist/error.js';
import { isCnabTrustError } from '../../core/errors.js';
import { guardedFetch, type NetworkLimits } from '../http/guarded-fetch.js';

export interface GuardedHttpFetcherOptions extends NetworkLimits {
  userAgent?: string;
  retries?: number;
}

export class GuardedHttpFetcher extends BaseFetcher {
  constructor(private readonly options: GuardedHttpFetcherOptions = {}) {
    super();
  }

  override async fetch(url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    const retries = this.options.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await guardedFetch(url, { headers: { 'user-agent': this.options.userAgent ?? 'cnab-trust' }, subject: `GET ${url}` }, this.options);
      } catch (e) {
        if (!isCnabTrustError(e) && attempt < retries) continue;
        throw e;
      }
      if (res.ok && res.body !== null) return res.body as ReadableStream<Uint8Array<ArrayBuffer>>;
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 500 && res.status < 600 && attempt < retries) continue;
      throw new DownloadHTTPError('Failed to download', res.status);
    }
  }
}
