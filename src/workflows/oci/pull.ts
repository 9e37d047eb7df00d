/**
 * `pull`: fetch a bundle pushed in the CNAB 200/201 layout from a registry or an OCI layout directory, check the
 * index against the bundle it carries, write `bundle.json` (the config blob's bytes exactly as pulled) and,
 * when asked, the CNAB 103 relocation mapping `{original image: <repository>@<digest>}`.
 */
import { writeFileAtomic } from '../../adapters/fs/index.js';
import { openLocation } from '../../adapters/oci/open-store.js';
import { readBundleFromStore, readStoredBundle, relocationMappingFor } from '../../adapters/oci/stored-bundle.js';
import { canonicalizeBundleBytes } from '../../core/cnab/index.js';
import { digestOf } from '../../core/oci/digest.js';
import { imageLabel } from '../../core/relocation/check.js';
import { registryClient, type RegistryAccess } from '../../adapters/oci/registry-access.js';

/** `cnab-trust digest <registry ref | oci:dir:tag> --json` */
export interface StoredDigestReport {
  /** `sha256:<hex>` of the stored bundle.json blob: what `sign <ref>` signs and `verify <ref>` compares. */
  digest: string;
  length: number;
  /** Whether the stored bytes are the canonical (JCS) bytes of the bundle they hold. */
  canonical: boolean;
  kind: 'stored';
  reference: string;
  /** Digest of the bundle's OCI index. */
  index: string;
  /** The canonical form of the stored bundle.json (equal to the stored bytes when `canonical`). */
  bundle: { digest: string; length: number };
}

export async function digestStoredBundle(ref: string, access: RegistryAccess = {}): Promise<StoredDigestReport> {
  const pulled = await readStoredBundle(ref, access);
  const c = canonicalizeBundleBytes(pulled.bundleBytes, { source: `${ref} (bundle config blob)` });
  return {
    digest: digestOf(pulled.bundleBytes),
    length: pulled.bundleBytes.byteLength,
    canonical: c.canonical,
    kind: 'stored',
    reference: ref,
    index: pulled.index.digest,
    bundle: { digest: c.digest, length: c.length },
  };
}

export interface PullOptions extends RegistryAccess {
  /** Where to write bundle.json (default `bundle.json`). */
  output?: string;
  /** Where to write the relocation mapping, when wanted. */
  relocationMapping?: string;
}

export interface PullReport {
  reference: string;
  digest: string;
  bundle: { name: string; version: string; file: string; digest: string; size: number };
  images: { image: string; reference: string; digest: string; mediaType: string; relocated: string }[];
  relocationMapping?: string;
}

export async function pull(ref: string, options: PullOptions = {}): Promise<PullReport> {
  const client = registryClient(options);
  const pulled = await readBundleFromStore(openLocation(ref, client));
  const output = options.output ?? 'bundle.json';
  await writeFileAtomic(output, pulled.bundleBytes);
  const mapping = relocationMappingFor(pulled.images, pulled.source.store);
  if (options.relocationMapping !== undefined) {
    await writeFileAtomic(options.relocationMapping, JSON.stringify(mapping, null, 2) + '\n');
  }
  return {
    reference: ref,
    digest: pulled.index.digest,
    bundle: {
      name: pulled.bundle.name,
      version: pulled.bundle.version,
      file: output,
      digest: digestOf(pulled.bundleBytes),
      size: pulled.bundleBytes.byteLength,
    },
    images: pulled.images.map(({ image, descriptor }) => ({
      image: imageLabel(image),
      reference: image.reference,
      digest: descriptor.digest,
      mediaType: descriptor.mediaType,
      relocated: mapping[image.reference]!,
    })),
    ...(options.relocationMapping === undefined ? {} : { relocationMapping: options.relocationMapping }),
  };
}
