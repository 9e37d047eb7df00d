/**
 * From a location the user typed (`registry/repo:tag`, `registry/repo@sha256:…`, `oci:./dir:tag`) to the store
 * that holds it and the tag or digest inside that store.
 */
import { parseImageLocation, type ImageLocation } from '../../core/reference/location.js';
import { LayoutStore } from './layout-store.js';
import type { RegistryClient } from './registry-store.js';
import type { OciStore } from './store.js';

export interface OpenedLocation {
  location: ImageLocation;
  store: OciStore;
  /** The digest if pinned, else the tag; undefined when the location names neither. */
  reference: string | undefined;
  /** The tag, when one was given. */
  tag: string | undefined;
  digest: string | undefined;
}

export function openLocation(text: string, client: RegistryClient, subject?: string): OpenedLocation {
  const location = parseImageLocation(text, subject === undefined ? {} : { subject });
  if (location.kind === 'oci-layout') {
    return { location, store: new LayoutStore(location.path), reference: location.digest ?? location.tag, tag: location.tag, digest: location.digest };
  }
  const ref = location.reference;
  return {
    location,
    store: client.repository(ref.registry, ref.repository),
    reference: ref.digest ?? ref.tag,
    tag: ref.tag,
    digest: ref.digest,
  };
}

/** How a store names one of its manifests as a reference: `reg/repo@sha256:…` or `oci:dir@sha256:…`. */
export function pinnedReference(store: OciStore, digest: string): string {
  return store.registry !== undefined ? `${store.registry}/${store.repository}@${digest}` : `${store.name}@${digest}`;
}
