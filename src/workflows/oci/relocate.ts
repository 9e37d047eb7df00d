/**
 * `relocate`: copy a pushed bundle (index, bundle config, every image, every blob) verbatim, digests preserved,
 * into another registry repository or an OCI layout directory, and write the CNAB 103 relocation mapping
 * `{original image: <target repository>@<digest>}`. The bundle is checked on the way as `pull` checks it.
 * Blobs already in the target are skipped, blobs in the same registry are mounted; transfers run in parallel
 * (bounded). The index is stored last and tagged last: an interrupted relocation never leaves a tag on an
 * incomplete bundle, and running it again resumes.
 */
import { writeFileAtomic } from '../../adapters/fs/index.js';
import { CopySession, type CopyProgress, type CopyStats } from '../../adapters/oci/copy.js';
import { openLocation } from '../../adapters/oci/open-store.js';
import { CnabTrustError } from '../../core/errors.js';
import { readBundleFromStore, relocationMappingFor } from '../../adapters/oci/stored-bundle.js';
import { registryClient, type RegistryAccess } from '../../adapters/oci/registry-access.js';

export interface RelocateOptions extends RegistryAccess {
  /** Where to write the relocation mapping (default `relocation-mapping.json`). */
  output?: string;
  onProgress?: (p: CopyProgress) => void;
}

export interface RelocateReport {
  source: string;
  target: string;
  /** The relocated bundle, by digest (same digest as the source). */
  relocated: string;
  digest: string;
  relocationMapping: string;
  mapping: Record<string, string>;
  stats: CopyStats;
}

export async function relocate(ref: string, targetRepository: string, options: RelocateOptions = {}): Promise<RelocateReport> {
  const client = registryClient(options);
  const pulled = await readBundleFromStore(openLocation(ref, client));
  const target = openLocation(targetRepository, client, 'target repository');
  if (target.digest !== undefined) {
    throw new CnabTrustError('E_USAGE', `the target of a relocation is a repository, not a digest: ${targetRepository}`, { subject: targetRepository });
  }
  // the tag moves along (the target's own tag if it names one), set only after everything is there
  const tag = target.tag ?? pulled.source.tag;
  const session = new CopySession(pulled.source.store, target.store, {
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  // each image under its own name first (progress names it), then the index (its children are copied by then)
  await Promise.all(pulled.images.map(({ image, descriptor }) => session.copyManifest(descriptor, image.reference)));
  await session.copyManifest(pulled.index);
  if (tag !== undefined) await target.store.pushManifest(pulled.indexBytes, pulled.index.mediaType, tag);
  const mapping = relocationMappingFor(pulled.images, target.store);
  const output = options.output ?? 'relocation-mapping.json';
  await writeFileAtomic(output, JSON.stringify(mapping, null, 2) + '\n');
  const pinned = target.store.registry !== undefined ? `${target.store.registry}/${target.store.repository}@${pulled.index.digest}` : `${target.store.name}@${pulled.index.digest}`;
  return {
    source: ref,
    target: targetRepository,
    relocated: pinned,
    digest: pulled.index.digest,
    relocationMapping: output,
    mapping,
    stats: session.stats,
  };
}
