/**
 * HTTP to one registry (distribution API v2) on Node's `fetch`: scheme choice, authentication, redirects,
 * retries and timeouts. Written by hand because no maintained npm registry client does push, mount, indexes and
 * token auth on Node 20 (docs/adr/0003-own-registry-client.md).
 *
 * - Scheme: loopback registries (`localhost`, `127.0.0.0/8`, `[::1]`) over plain HTTP as docker does; others over
 *   HTTPS unless `plainHttp`.
 * - Auth (distribution "token authentication specification"): a request goes out anonymous until a 401 names a
 *   challenge. `Basic`: the registry's credentials on every later request. `Bearer`: a token is requested from the
 *   challenge's realm for the request's scopes (with Basic credentials when we have some) and cached per scope set
 *   until it expires. A 401 without a usable challenge is `E_OCI_AUTH`.
 * - Redirects are followed by hand: credentials go only to the registry's own origin, never to another one
 *   (blob storage redirects).
 * - 429 and 5xx (and network errors) are retried with exponential backoff when the request can be replayed.
 * - Every request and its body have an idle timeout and an overall deadline (adapters/http/guarded-fetch.ts).
 */
import { CnabTrustError, isCnabTrustError } from '../../core/errors.js';
import { guardedFetch, type GuardedRequest, type NetworkLimits } from '../http/guarded-fetch.js';
import { parseChallenges, type Challenge } from './auth-challenge.js';
import type { CredentialLookup, Credentials } from './credentials.js';

export interface TransportOptions {
  /** Use plain HTTP for every registry (`--plain-http`); loopback registries always use it. */
  plainHttp?: boolean;
  credentials?: CredentialLookup;
  /** Longest wait for response headers or for the next chunk of a body, ms (default 30 s; `timeoutMs` is the old name). */
  idleTimeoutMs?: number;
  timeoutMs?: number;
  /** Longest time for one request and its whole body, ms (default 10 min). */
  deadlineMs?: number;
  /** Retries of a replayable request on 429/5xx/network errors (default 4). */
  retries?: number;
  /** First backoff delay, ms, doubled per retry (default 200). */
  backoffMs?: number;
  /** Milliseconds clock, for token expiry. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** A path (`/v2/...`) on the registry or an absolute URL (upload locations). */
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array | ReadableStream<Uint8Array>;
  /** Token scopes the request needs, e.g. `repository:org/app:pull,push`. */
  scopes: string[];
  /** Aborts the request and its body (idle timeouts of streamed bodies). */
  signal?: AbortSignal;
  /** What the request is about, for error subjects. */
  subject: string;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const MAX_REDIRECTS = 5;
const MAX_TOKEN_RESPONSE = 1 << 20;

/** Whether a host (with optional port) is loopback: `localhost`, `127.0.0.0/8`, `[::1]`. */
export function isLoopbackHost(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export class RegistryTransport {
  readonly registry: string;
  readonly origin: string;
  private readonly options: TransportOptions;
  private scheme: 'unknown' | 'anonymous' | 'basic' | 'bearer' = 'unknown';
  private bearer: { realm: string; service: string | undefined } | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private credentials: Promise<Credentials | undefined> | undefined;

  constructor(registry: string, options: TransportOptions = {}) {
    this.registry = registry;
    this.options = options;
    const plain = options.plainHttp === true || isLoopbackHost(registry);
    this.origin = `${plain ? 'http' : 'https'}://${registry}`;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private async sleep(ms: number): Promise<void> {
    if (this.options.sleep) return this.options.sleep(ms);
    await new Promise((r) => setTimeout(r, ms));
  }

  private creds(): Promise<Credentials | undefined> {
    return (this.credentials ??= this.options.credentials?.(this.registry) ?? Promise.resolve(undefined));
  }

  /** Send a request; returns the final response (any status the caller must interpret, except 401/403). */
  async request(req: RegistryRequest): Promise<Response> {
    const replayable = !(req.body instanceof ReadableStream);
    const retries = this.options.retries ?? 4;
    let url = new URL(req.url, this.origin);
    let method: string = req.method;
    let attempt = 0;
    let redirects = 0;
    let authenticated = false;
    for (;;) {
      const sameOrigin = url.origin === this.origin;
      const headers: Record<string, string> = { ...(req.headers ?? {}) };
      if (sameOrigin) {
        const authorization = await this.authorization(req.scopes, req.subject);
        if (authorization !== undefined) headers.authorization = authorization;
      }
      let res: Response;
      try {
        const init: GuardedRequest & { duplex?: 'half' } = {
          method,
          headers,
          redirect: 'manual',
          subject: `${req.method} ${req.subject}`,
          ...(req.signal === undefined ? {} : { signal: req.signal }),
        };
        if (req.body !== undefined && method !== 'GET' && method !== 'HEAD') {
          init.body = req.body;
          if (!replayable) init.duplex = 'half';
        }
        // issue 11 item 3: headers and every chunk of the body within the idle timeout, the whole within the deadline
        res = await guardedFetch(url, init, this.limits());
      } catch (e) {
        if (req.signal?.aborted) throw req.signal.reason ?? e;
        if (isCnabTrustError(e)) throw e; // a stalled server is not asked again
        if (replayable && attempt < retries) {
          await this.sleep(this.backoff(attempt++));
          continue;
        }
        const why = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
        throw new CnabTrustError('E_OCI_UNREACHABLE', `registry ${this.registry} unreachable (${req.method} ${req.subject}): ${why}`, {
          subject: req.subject,
          details: { registry: this.registry },
          cause: e,
        });
      }
      // redirects: followed by hand so that credentials never go to another origin
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await discard(res);
        if (++redirects > MAX_REDIRECTS) {
          throw new CnabTrustError('E_OCI_PROTOCOL', `too many redirects for ${req.subject}`, { subject: req.subject });
        }
        url = new URL(res.headers.get('location')!, url);
        if (url.protocol !== 'https:' && url.protocol !== 'http:') {
          throw new CnabTrustError('E_OCI_PROTOCOL', `redirect of ${req.subject} to a non-HTTP URL`, { subject: req.subject });
        }
        if (res.status === 303) method = 'GET';
        if (!replayable && method !== 'GET' && method !== 'HEAD') {
          throw new CnabTrustError('E_OCI_PROTOCOL', `registry redirected a streamed upload of ${req.subject}`, { subject: req.subject });
        }
        continue;
      }
      if (res.status === 401 && sameOrigin && !authenticated) {
        const challenges = parseChallenges(res.headers.get('www-authenticate'));
        await discard(res);
        await this.authenticate(challenges, req.scopes, req.subject);
        authenticated = true;
        if (!replayable) {
          throw new CnabTrustError('E_OCI_AUTH', `registry ${this.registry} asked for credentials in the middle of an upload`, {
            subject: req.subject,
          });
        }
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        const detail = await errorSummary(res);
        throw new CnabTrustError('E_OCI_AUTH', `registry ${this.registry} refused access to ${req.subject} (${res.status}${detail})`, {
          subject: req.subject,
          hint: 'check the credentials (docker config.json, --username/--password-stdin) and their rights on the repository',
          details: { status: res.status, registry: this.registry },
        });
      }
      if ((res.status === 429 || res.status >= 500) && replayable && attempt < retries) {
        await discard(res);
        await this.sleep(retryAfter(res) ?? this.backoff(attempt));
        attempt++;
        continue;
      }
      return res;
    }
  }

  /** The idle timeout and deadline of every request to this registry and its token server. */
  private limits(): NetworkLimits {
    const idle = this.options.idleTimeoutMs ?? this.options.timeoutMs;
    return { ...(idle === undefined ? {} : { idleTimeoutMs: idle }), ...(this.options.deadlineMs === undefined ? {} : { deadlineMs: this.options.deadlineMs }) };
  }

  private backoff(attempt: number): number {
    const base = this.options.backoffMs ?? 200;
    return base * 2 ** attempt * (0.75 + Math.random() * 0.5);
  }

  /** The Authorization header for a request, when the registry's scheme is known. */
  private async authorization(scopes: string[], subject: string): Promise<string | undefined> {
    if (this.scheme === 'basic') {
      const c = await this.creds();
      return c === undefined ? undefined : basicHeader(c);
    }
    if (this.scheme === 'bearer') {
      const token = await this.token(scopes, [], subject);
      return token === undefined ? undefined : `Bearer ${token}`;
    }
    return undefined;
  }

  /** React to a 401: learn the scheme from the challenge, fetch a token if Bearer. */
  private async authenticate(challenges: Challenge[], scopes: string[], subject: string): Promise<void> {
    const bearer = challenges.find((c) => c.scheme === 'bearer' && typeof c.params.realm === 'string' && c.params.realm.length > 0);
    if (bearer !== undefined) {
      let realm: URL;
      try {
        realm = new URL(bearer.params.realm!);
      } catch {
        throw noChallenge(this.registry, subject, 'the Bearer realm is not a URL');
      }
      if (realm.protocol !== 'https:' && realm.protocol !== 'http:') throw noChallenge(this.registry, subject, 'the Bearer realm is not HTTP(S)');
      this.scheme = 'bearer';
      this.bearer = { realm: realm.toString(), service: bearer.params.service };
      const extra = (bearer.params.scope ?? '').split(' ').filter((s) => s.length > 0);
      const token = await this.token(scopes, extra, subject, true);
      if (token === undefined) throw noChallenge(this.registry, subject, 'the token server gave no token');
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      const c = await this.creds();
      if (c === undefined) {
        throw new CnabTrustError('E_OCI_AUTH', `registry ${this.registry} needs credentials for ${subject}`, {
          subject,
          hint: 'log in (docker config.json) or pass --username and --password-stdin',
        });
      }
      this.scheme = 'basic';
      return;
    }
    throw noChallenge(this.registry, subject, challenges.length === 0 ? 'no WWW-Authenticate challenge' : `unsupported scheme ${challenges.map((c) => c.scheme).join(', ')}`);
  }

  /** A Bearer token for a set of scopes, from the cache or the token server. */
  private async token(scopes: string[], extraScopes: string[], subject: string, refresh = false): Promise<string | undefined> {
    const key = [...new Set(scopes)].sort().join(' ');
    const cached = this.tokens.get(key);
    if (!refresh && cached !== undefined && cached.expiresAt > this.now()) return cached.token;
    const realm = new URL(this.bearer!.realm);
    if (this.bearer!.service !== undefined) realm.searchParams.set('service', this.bearer!.service);
    for (const s of [...new Set([...scopes, ...extraScopes])]) realm.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    const c = await this.creds();
    if (c !== undefined) {
      // credentials go to the realm only over HTTPS, or plain HTTP on loopback / with --plain-http
      const safe = realm.protocol === 'https:' || this.options.plainHttp === true || isLoopbackHost(realm.host);
      if (!safe) throw noChallenge(this.registry, subject, `refusing to send credentials to ${realm.origin} over plain HTTP`);
      headers.authorization = basicHeader(c);
    }
    let res: Response | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        res = await guardedFetch(realm, { headers, redirect: 'error', subject: `token for ${subject} from ${realm.origin}` }, this.limits());
      } catch (e) {
        if (isCnabTrustError(e)) throw e;
        if (attempt < (this.options.retries ?? 4)) {
          await this.sleep(this.backoff(attempt));
          continue;
        }
        throw new CnabTrustError('E_OCI_UNREACHABLE', `token server ${realm.origin} unreachable`, { subject, cause: e });
      }
      if ((res.status === 429 || res.status >= 500) && attempt < (this.options.retries ?? 4)) {
        await discard(res);
        await this.sleep(this.backoff(attempt));
        continue;
      }
      break;
    }
    if (res.status !== 200) {
      await discard(res);
      throw new CnabTrustError('E_OCI_AUTH', `token server ${realm.origin} refused a token for ${subject} (${res.status})`, {
        subject,
        hint: 'check the credentials and their rights on the repository',
        details: { status: res.status },
      });
    }
    const { bytes, truncated } = await readBodyBounded(res, MAX_TOKEN_RESPONSE);
    if (truncated) throw noChallenge(this.registry, subject, 'token response too large');
    const text = bytes.toString('utf8');
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw noChallenge(this.registry, subject, 'token response is not JSON');
    }
    const token = typeof body.token === 'string' && body.token.length > 0 ? body.token : body.access_token;
    if (typeof token !== 'string' || token.length === 0) return undefined;
    // distribution token spec: expires_in defaults to 60 s; keep a margin so a token does not expire in flight
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    this.tokens.set(key, { token, expiresAt: this.now() + Math.max(0, expiresIn - 10) * 1000 });
    return token;
  }
}

function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

function noChallenge(registry: string, subject: string, why: string): CnabTrustError {
  return new CnabTrustError('E_OCI_AUTH', `registry ${registry} answered 401 for ${subject} without a usable challenge: ${why}`, {
    subject,
    details: { registry },
  });
}

function retryAfter(res: Response): number | undefined {
  const v = res.headers.get('retry-after');
  if (v === null) return undefined;
  const s = Number(v);
  return Number.isFinite(s) && s >= 0 ? Math.min(s, 30) * 1000 : undefined;
}

export async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // nothing to do: the body is abandoned
  }
}

/** ` : CODE message` from a distribution error body, bounded; empty when there is none. */
export async function errorSummary(res: Response): Promise<string> {
  try {
    const { bytes } = await readBodyBounded(res, MAX_ERROR_BODY);
    const parsed = JSON.parse(bytes.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const first = parsed.errors?.[0];
    if (first?.code !== undefined) {
      // the registry's words are untrusted: no control characters (terminal escapes, forged lines) reach our messages
      const code = String(first.code).replace(/[^A-Za-z0-9_]/g, '').slice(0, 64);
      const message = String(first.message ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 200);
      return `: ${code} ${message}`.trimEnd();
    }
  } catch {
    // not a distribution error body (or cut short)
  }
  return '';
}

/** A registry's error body is read only this far. */
const MAX_ERROR_BODY = 4096;

/**
 * Read at most `max` bytes of a response body and cancel the rest, so that a hostile server cannot make us buffer
 * an endless body. `truncated` says whether there was more.
 */
export async function readBodyBounded(res: Response, max: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  if (res.body === null) return { bytes: Buffer.alloc(0), truncated: false };
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: Buffer.concat(chunks), truncated: false };
      const room = max - total;
      if (value.byteLength > room) {
        chunks.push(Buffer.from(value.buffer, value.byteOffset, room));
        await reader.cancel().catch(() => undefined);
        return { bytes: Buffer.concat(chunks), truncated: true };
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      total += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
}
