/**
 * Copy a manifest and everything under it from one store to another, verbatim (digests preserved): the bytes of
 * every manifest are pushed as fetched, blobs are streamed (verified on the way) or mounted or skipped when the
 * target has them. Children are always stored before their parent, so a failure midway never leaves a manifest
 * (let alone a tag) pointing at content that is not there; rerunning the copy resumes, skipping what arrived.
 */
import { CnabTrustError, isCnabTrustError } from '../../core/errors.js';
import type { Descriptor } from '../../core/oci/descriptor.js';
import { blobsOf, parseManifest } from '../../core/oci/manifest.js';
import type { OciStore } from './store.js';

export interface CopyProgress {
  manifests: number;
  blobs: number;
  /** Bytes transferred so far. */
  bytes: number;
  /** Bytes done: transferred, plus blobs the target already had or mounted. */
  doneBytes: number;
  /** Bytes of every blob found so far (grows as manifests are read). */
  totalBytes: number;
  /** The image whose content moved last (the label given to `copyManifest`). */
  image?: string;
}

export interface CopyOptions {
  /** Blob transfers in flight at once (default 6). */
  concurrency?: number;
  /** Attempts per blob on I/O failures (default 3). */
  blobAttempts?: number;
  onProgress?: (p: CopyProgress) => void;
}

export interface CopyStats {
  manifestsCopied: number;
  manifestsPresent: number;
  blobsCopied: number;
  blobsMounted: number;
  blobsPresent: number;
  bytesCopied: number;
}

/** A small concurrency limiter (a dozen lines; not worth a dependency). */
export function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/** One copy between two stores; blobs shared by several images are transferred once. */
export class CopySession {
  readonly stats: CopyStats = { manifestsCopied: 0, manifestsPresent: 0, blobsCopied: 0, blobsMounted: 0, blobsPresent: 0, bytesCopied: 0 };
  private readonly limit: <T>(task: () => Promise<T>) => Promise<T>;
  /** Manifest requests in flight (only the requests: a parent never holds a slot while its children copy). */
  private readonly manifestLimit: <T>(task: () => Promise<T>) => Promise<T>;
  private readonly blobs = new Map<string, Promise<void>>();
  private readonly manifests = new Map<string, Promise<void>>();
  private totalBytes = 0;
  private skippedBytes = 0;
  private current: string | undefined;

  constructor(
    readonly source: OciStore,
    readonly target: OciStore,
    private readonly options: CopyOptions = {},
  ) {
    this.limit = limiter(options.concurrency ?? 6);
    this.manifestLimit = limiter(8);
  }

  private progress(): void {
    this.options.onProgress?.({
      manifests: this.stats.manifestsCopied + this.stats.manifestsPresent,
      blobs: this.stats.blobsCopied + this.stats.blobsMounted + this.stats.blobsPresent,
      bytes: this.stats.bytesCopied,
      doneBytes: this.stats.bytesCopied + this.skippedBytes,
      totalBytes: this.totalBytes,
      ...(this.current === undefined ? {} : { image: this.current }),
    });
  }

  /** Copy the manifest `descriptor` names (and all it references) by digest; tag it last when `tag` is given. */
  async copy(descriptor: Descriptor, tag?: string): Promise<void> {
    await this.copyManifest(descriptor);
    if (tag !== undefined) {
      const { bytes, descriptor: fetched } = await this.source.fetchManifest(descriptor.digest);
      await this.target.pushManifest(bytes, descriptor.mediaType || fetched.mediaType, tag);
    }
  }

  /** `label` names the image in progress reports (e.g. the bundle's image name). */
  copyManifest(descriptor: Descriptor, label?: string): Promise<void> {
    let p = this.manifests.get(descriptor.digest);
    if (p === undefined) {
      p = this.doCopyManifest(descriptor, label);
      this.manifests.set(descriptor.digest, p);
    }
    return p;
  }

  private async doCopyManifest(descriptor: Descriptor, label: string | undefined): Promise<void> {
    if ((await this.manifestLimit(() => this.target.resolve(descriptor.digest))) !== undefined) {
      this.stats.manifestsPresent++;
      this.progress();
      return;
    }
    const { bytes, descriptor: fetched } = await this.manifestLimit(() => this.source.fetchManifest(descriptor.digest));
    const mediaType = descriptor.mediaType || fetched.mediaType;
    const manifest = parseManifest(bytes, `${this.source.name}@${descriptor.digest}`, mediaType);
    if (manifest.kind === 'index') {
      await Promise.all(manifest.manifests.map((child) => this.copyManifest(child, label)));
    } else {
      await Promise.all(blobsOf(manifest).map((blob) => this.copyBlob(blob, label)));
    }
    // children first, then the manifest: never a manifest pointing at missing content
    await this.manifestLimit(() => this.target.pushManifest(bytes, mediaType, descriptor.digest));
    this.stats.manifestsCopied++;
    this.progress();
  }

  copyBlob(descriptor: Descriptor, label?: string): Promise<void> {
    let p = this.blobs.get(descriptor.digest);
    if (p === undefined) {
      this.totalBytes += descriptor.size;
      this.progress();
      p = this.limit(() => this.doCopyBlob(descriptor, label));
      this.blobs.set(descriptor.digest, p);
    }
    return p;
  }

  private async doCopyBlob(descriptor: Descriptor, label: string | undefined): Promise<void> {
    if (label !== undefined) this.current = label;
    if (await this.target.hasBlob(descriptor)) {
      this.stats.blobsPresent++;
      this.skippedBytes += descriptor.size;
      this.progress();
      return;
    }
    if (this.target.mountBlob !== undefined && (await this.target.mountBlob(descriptor, this.source))) {
      this.stats.blobsMounted++;
      this.skippedBytes += descriptor.size;
      this.progress();
      return;
    }
    const attempts = this.options.blobAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      let sent = 0;
      try {
        const stream = await this.source.openBlob(descriptor, (n) => {
          sent += n;
          if (label !== undefined) this.current = label;
          this.stats.bytesCopied += n;
          this.progress();
        });
        await this.target.pushBlob(descriptor, stream);
        this.stats.blobsCopied++;
        this.progress();
        return;
      } catch (e) {
        this.stats.bytesCopied -= sent;
        // only input/output failures are worth another try; wrong bytes are final
        const retry = attempt < attempts && (!isCnabTrustError(e) || e.category === 'io');
        if (!retry) throw wrapUnknown(e, descriptor, this.source.name);
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }
}

function wrapUnknown(e: unknown, descriptor: Descriptor, from: string): unknown {
  if (isCnabTrustError(e)) return e;
  const cause = (e as { cause?: { code?: string } }).cause;
  return new CnabTrustError('E_OCI_UNREACHABLE', `copy of blob ${descriptor.digest} from ${from} failed: ${cause?.code ?? (e as Error).message}`, {
    subject: `${from}@${descriptor.digest}`,
    cause: e,
  });
}
