/**
 * A repository in a registry as an `OciStore` (distribution API v2 / OCI distribution spec):
 * manifests HEAD/GET/PUT, blobs HEAD/GET (verified while streaming), monolithic and chunked uploads,
 * cross-repository mounts.
 */
import { CnabTrustError } from '../../core/errors.js';
import { assertDigest, digestMismatch, digestOf, isValidDigest } from '../../core/oci/digest.js';
import type { Descriptor } from '../../core/oci/descriptor.js';
import { MAX_MANIFEST_BYTES } from '../../core/oci/manifest.js';
import { baseMediaType, MANIFEST_ACCEPT } from '../../core/oci/media-types.js';
import { discard, errorSummary, RegistryTransport, type TransportOptions } from './registry-transport.js';
import type { FetchedManifest, OciStore } from './store.js';
import { readAll, verifyingStream } from './verify-stream.js';

export interface RegistryStoreOptions {
  /** Upload blobs in PATCH chunks of this many bytes instead of one monolithic PUT. */
  chunkSize?: number;
}

/** Registry connections shared by every repository of a command, so tokens and schemes are learnt once per host. */
export class RegistryClient {
  private readonly transports = new Map<string, RegistryTransport>();
  constructor(readonly options: TransportOptions & RegistryStoreOptions = {}) {}

  transport(registry: string): RegistryTransport {
    let t = this.transports.get(registry);
    if (t === undefined) {
      // Docker Hub's API lives at registry-1.docker.io (distribution/reference calls it docker.io)
      t = new RegistryTransport(registry === 'docker.io' ? 'registry-1.docker.io' : registry, this.options);
      this.transports.set(registry, t);
    }
    return t;
  }

  repository(registry: string, repository: string): RegistryStore {
    return new RegistryStore(this.transport(registry), repository, this.options);
  }
}

export class RegistryStore implements OciStore {
  readonly name: string;
  readonly registry: string;
  readonly repository: string;
  private readonly pullScope: string;
  private readonly pushScope: string;

  constructor(
    private readonly transport: RegistryTransport,
    repository: string,
    private readonly options: RegistryStoreOptions = {},
  ) {
    this.registry = transport.registry;
    this.repository = repository;
    this.name = `${this.registry}/${repository}`;
    this.pullScope = `repository:${repository}:pull`;
    this.pushScope = `repository:${repository}:pull,push`;
  }

  private path(kind: 'manifests' | 'blobs', reference: string): string {
    return `/v2/${this.repository}/${kind}/${encodeURIComponent(reference)}`;
  }

  private subject(reference: string): string {
    return isValidDigest(reference) ? `${this.name}@${reference}` : `${this.name}:${reference}`;
  }

  /** Check the v2 API answers (GET /v2/), authenticating if it asks. */
  async ping(): Promise<void> {
    const res = await this.transport.request({ method: 'GET', url: '/v2/', scopes: [this.pullScope], subject: this.registry });
    await discard(res);
    if (res.status !== 200) {
      throw new CnabTrustError('E_OCI_PROTOCOL', `registry ${this.registry} does not speak the v2 API (${res.status})`, { subject: this.registry });
    }
  }

  async resolve(reference: string): Promise<Descriptor | undefined> {
    const subject = this.subject(reference);
    const res = await this.transport.request({
      method: 'HEAD',
      url: this.path('manifests', reference),
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [this.pullScope],
      subject,
    });
    await discard(res);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await unexpected(res, subject);
    const digest = res.headers.get('docker-content-digest');
    const mediaType = baseMediaType(res.headers.get('content-type'));
    const size = Number(res.headers.get('content-length'));
    if (digest === null || mediaType === undefined || !Number.isSafeInteger(size) || !isValidDigest(digest)) {
      // the registry did not describe it in headers: fetch and hash it
      return (await this.fetchManifest(reference)).descriptor;
    }
    if (isValidDigest(reference) && digest !== reference) throw digestMismatch(subject, reference, digest);
    return { mediaType, digest, size };
  }

  async fetchManifest(reference: string, maxBytes = MAX_MANIFEST_BYTES): Promise<FetchedManifest> {
    const subject = this.subject(reference);
    const res = await this.transport.request({
      method: 'GET',
      url: this.path('manifests', reference),
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [this.pullScope],
      subject,
    });
    if (res.status === 404) {
      await discard(res);
      throw notFound(subject, 'manifest');
    }
    if (res.status !== 200) throw await unexpected(res, subject);
    const length = Number(res.headers.get('content-length') ?? '0');
    if (length > maxBytes) {
      await discard(res);
      throw tooLarge(subject, length, maxBytes);
    }
    const bytes = await readAll(res.body ?? new ReadableStream(), maxBytes, subject);
    const actual = digestOf(bytes, isValidDigest(reference) ? (reference.split(':')[0] as 'sha256') : 'sha256');
    // every fetched manifest is re-hashed: by digest it must be that digest; by tag it must match what the registry says
    if (isValidDigest(reference) && actual !== reference) throw digestMismatch(subject, reference, actual);
    const claimed = res.headers.get('docker-content-digest');
    if (!isValidDigest(reference) && claimed !== null && isValidDigest(claimed) && claimed.startsWith('sha256:') && claimed !== actual) {
      throw digestMismatch(subject, claimed, actual);
    }
    const mediaType = baseMediaType(res.headers.get('content-type')) ?? '';
    return { descriptor: { mediaType, digest: actual, size: bytes.byteLength }, bytes };
  }

  async pushManifest(bytes: Uint8Array, mediaType: string, reference?: string): Promise<Descriptor> {
    const digest = digestOf(bytes);
    const ref = reference ?? digest;
    const subject = this.subject(ref);
    if (isValidDigest(ref) && ref !== digest) throw digestMismatch(subject, ref, digest);
    let res: Response;
    for (let attempt = 0; ; attempt++) {
      res = await this.transport.request({
        method: 'PUT',
        url: this.path('manifests', ref),
        headers: { 'content-type': mediaType },
        body: bytes,
        scopes: [this.pushScope],
        subject,
      });
      if (res.status === 201 || res.status === 200) break;
      const detail = await errorSummary(res);
      // We hashed these exact bytes above, so DIGEST_INVALID cannot be about them: distribution 2.8 answers it when
      // its manifest check stats a child blob whose link file a concurrent upload is rewriting in place (the
      // filesystem driver truncates, then writes; the half-written link fails to parse as a digest). Retry it.
      if (res.status === 400 && detail.startsWith(': DIGEST_INVALID') && attempt < MANIFEST_PUT_RETRIES) {
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        continue;
      }
      const code = res.status === 404 ? 'E_OCI_NOT_FOUND' : 'E_OCI_PROTOCOL';
      throw new CnabTrustError(code, `registry answered ${res.status} for ${subject}${detail}`, { subject, details: { status: res.status } });
    }
    await discard(res);
    const stored = res.headers.get('docker-content-digest');
    if (stored !== null && stored !== digest) throw digestMismatch(`${subject} (as stored)`, digest, stored);
    return { mediaType, digest, size: bytes.byteLength };
  }

  async hasBlob(descriptor: Descriptor): Promise<boolean> {
    assertDigest(descriptor.digest);
    const subject = `${this.name}@${descriptor.digest}`;
    const res = await this.transport.request({ method: 'HEAD', url: this.path('blobs', descriptor.digest), scopes: [this.pullScope], subject });
    await discard(res);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await unexpected(res, subject);
  }

  async openBlob(descriptor: Descriptor, onChunk?: (bytes: number) => void): Promise<ReadableStream<Uint8Array>> {
    assertDigest(descriptor.digest);
    const subject = `${this.name}@${descriptor.digest}`;
    // the transport bounds the wait for each chunk (idle timeout) and the whole read (deadline)
    const res = await this.transport.request({
      method: 'GET',
      url: this.path('blobs', descriptor.digest),
      scopes: [this.pullScope],
      subject,
    });
    if (res.status !== 200) {
      if (res.status === 404) {
        await discard(res);
        throw notFound(subject, 'blob');
      }
      throw await unexpected(res, subject);
    }
    const length = res.headers.get('content-length');
    if (length !== null && Number(length) !== descriptor.size) {
      await discard(res);
      throw new CnabTrustError('E_LENGTH_MISMATCH', `${subject} is ${length} bytes, its descriptor says ${descriptor.size}`, {
        subject,
        details: { expected: descriptor.size, actual: Number(length) },
      });
    }
    const body = res.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    return body.pipeThrough(verifyingStream(descriptor, subject, onChunk === undefined ? {} : { onChunk }));
  }

  async fetchBlob(descriptor: Descriptor, maxBytes: number): Promise<Uint8Array> {
    const subject = `${this.name}@${descriptor.digest}`;
    if (descriptor.size > maxBytes) throw tooLarge(subject, descriptor.size, maxBytes);
    return readAll(await this.openBlob(descriptor), maxBytes, subject);
  }

  /** Start an upload session; returns its location. */
  private async startUpload(subject: string, query = ''): Promise<Response> {
    return this.transport.request({
      method: 'POST',
      url: `/v2/${this.repository}/blobs/uploads/${query}`,
      headers: { 'content-length': '0' },
      scopes: [this.pushScope],
      subject,
    });
  }

  async pushBlob(descriptor: Descriptor, content: Uint8Array | ReadableStream<Uint8Array>): Promise<void> {
    assertDigest(descriptor.digest);
    const subject = `${this.name}@${descriptor.digest}`;
    const started = await this.startUpload(subject);
    if (started.status !== 202) throw await unexpected(started, subject);
    await discard(started);
    await this.upload(started, descriptor, content, subject);
  }

  /** Finish an upload session: monolithic PUT, or PATCH chunks then PUT. */
  private async upload(session: Response, descriptor: Descriptor, content: Uint8Array | ReadableStream<Uint8Array>, subject: string): Promise<void> {
    let location = locationOf(session, subject);
    const chunkSize = this.options.chunkSize;
    if (chunkSize !== undefined && chunkSize > 0) {
      let offset = 0;
      for await (const chunk of chunks(content, chunkSize)) {
        const res = await this.transport.request({
          method: 'PATCH',
          url: location,
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${offset}-${offset + chunk.byteLength - 1}`,
            'content-length': String(chunk.byteLength),
          },
          body: chunk,
          scopes: [this.pushScope],
          subject,
        });
        if (res.status !== 202) throw await unexpected(res, subject);
        await discard(res);
        location = locationOf(res, subject);
        offset += chunk.byteLength;
      }
      content = new Uint8Array(0);
    }
    const url = new URL(location, 'http://placeholder');
    url.searchParams.set('digest', descriptor.digest);
    const finalUrl = /^https?:\/\//.test(location) ? url.toString() : `${url.pathname}${url.search}`;
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (content instanceof Uint8Array) headers['content-length'] = String(content.byteLength);
    const res = await this.transport.request({ method: 'PUT', url: finalUrl, headers, body: content, scopes: [this.pushScope], subject });
    if (res.status !== 201) throw await unexpected(res, subject);
    await discard(res);
    const stored = res.headers.get('docker-content-digest');
    if (stored !== null && stored !== descriptor.digest) throw digestMismatch(`${subject} (as stored)`, descriptor.digest, stored);
  }

  /** Cross-repository mount (POST ?mount=&from=): only within the same registry. */
  async mountBlob(descriptor: Descriptor, from: OciStore): Promise<boolean> {
    if (!(from instanceof RegistryStore) || from.registry !== this.registry || from.repository === this.repository) return false;
    assertDigest(descriptor.digest);
    const subject = `${this.name}@${descriptor.digest}`;
    const query = `?mount=${encodeURIComponent(descriptor.digest)}&from=${encodeURIComponent(from.repository)}`;
    const res = await this.transport.request({
      method: 'POST',
      url: `/v2/${this.repository}/blobs/uploads/${query}`,
      headers: { 'content-length': '0' },
      scopes: [this.pushScope, from.pullScope],
      subject,
    });
    await discard(res);
    if (res.status === 201) return true;
    if (res.status === 202) {
      // the registry opened an ordinary upload instead; abandon it (the caller copies)
      const loc = res.headers.get('location');
      if (loc !== null) {
        const del = await this.transport.request({ method: 'DELETE', url: loc, scopes: [this.pushScope], subject }).catch(() => undefined);
        if (del) await discard(del);
      }
      return false;
    }
    throw await unexpected(res, subject);
  }
}

async function* chunks(content: Uint8Array | ReadableStream<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  if (content instanceof Uint8Array) {
    for (let i = 0; i < content.byteLength; i += size) yield content.subarray(i, Math.min(i + size, content.byteLength));
    return;
  }
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const piece of content as unknown as AsyncIterable<Uint8Array>) {
    pending.push(piece);
    pendingBytes += piece.byteLength;
    while (pendingBytes >= size) {
      const all = Buffer.concat(pending, pendingBytes);
      yield all.subarray(0, size);
      const rest = all.subarray(size);
      pending = rest.byteLength > 0 ? [rest] : [];
      pendingBytes = rest.byteLength;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

function locationOf(res: Response, subject: string): string {
  const loc = res.headers.get('location');
  if (loc === null || loc.length === 0) {
    throw new CnabTrustError('E_OCI_PROTOCOL', `registry gave no upload location for ${subject}`, { subject });
  }
  return loc;
}

function notFound(subject: string, what: string): CnabTrustError {
  return new CnabTrustError('E_OCI_NOT_FOUND', `${what} ${subject} not found`, { subject });
}

function tooLarge(subject: string, size: number, max: number): CnabTrustError {
  return new CnabTrustError('E_OCI_TOO_LARGE', `${subject} is ${size} bytes, over the bound of ${max}`, { subject, details: { size, max } });
}


/** How often a manifest PUT answered with a spurious DIGEST_INVALID is tried again. */
const MANIFEST_PUT_RETRIES = 4;

async function unexpected(res: Response, subject: string): Promise<CnabTrustError> {
  const detail = await errorSummary(res);
  const code = res.status === 404 ? 'E_OCI_NOT_FOUND' : 'E_OCI_PROTOCOL';
  return new CnabTrustError(code, `registry answered ${res.status} for ${subject}${detail}`, {
    subject,
    details: { status: res.status },
  });
}
