/**
 * One interface, many places an image can live (the go-containerregistry shape): a repository in a registry
 * (`registry-store.ts`) and an OCI image layout directory (`layout-store.ts`) both implement `OciStore`, so push,
 * pull, relocate and relocation verify are written once against it.
 *
 * A store never re-serializes a manifest: manifests travel as raw bytes, and every manifest and blob read from a
 * store is re-hashed and checked against the digest it was asked for.
 */
import type { Descriptor } from '../../core/oci/descriptor.js';

export interface FetchedManifest {
  /** Descriptor of the bytes as fetched (digest computed from them). */
  descriptor: Descriptor;
  bytes: Uint8Array;
}

export interface OciStore {
  /** How the user names this place: `registry.example/org/app` or `oci:./dir`. */
  readonly name: string;
  /** Registry host (`host[:port]`) of a registry store, undefined for a layout directory. */
  readonly registry?: string;
  /** Repository path inside the registry (`org/app`), undefined for a layout directory. */
  readonly repository?: string;

  /** Descriptor of the manifest a tag or digest names (HEAD), or undefined when it does not exist. */
  resolve(reference: string): Promise<Descriptor | undefined>;
  /** Raw bytes of the manifest a tag or digest names, size-bounded and re-hashed. */
  fetchManifest(reference: string, maxBytes?: number): Promise<FetchedManifest>;
  /** Store manifest bytes as they are, under a tag or under their digest. Returns their descriptor. */
  pushManifest(bytes: Uint8Array, mediaType: string, reference?: string): Promise<Descriptor>;

  hasBlob(descriptor: Descriptor): Promise<boolean>;
  /** Open a blob for reading; the stream is verified against the descriptor's digest and size while it flows. */
  openBlob(descriptor: Descriptor, onChunk?: (bytes: number) => void): Promise<ReadableStream<Uint8Array>>;
  /** Read a small blob whole (bounded by `maxBytes`), verified. */
  fetchBlob(descriptor: Descriptor, maxBytes: number): Promise<Uint8Array>;
  /** Store a blob from bytes or a stream; the store checks the digest before the blob becomes visible. */
  pushBlob(descriptor: Descriptor, content: Uint8Array | ReadableStream<Uint8Array>): Promise<void>;
  /**
   * Make a blob of another store available here without transferring it (cross-repository mount).
   * Returns false when not possible (other registry, registry refused): the caller then copies.
   */
  mountBlob?(descriptor: Descriptor, from: OciStore): Promise<boolean>;
}
