/**
 * "Is this bundle already signed in that metadata repository?", asked by `push --fixup`, which changes the bundle
 * and so would void a signature. The TUF repository (tuf-status `listBundles`) lists the bundle targets
 * `<gun>:<tag>` of its delegated roles; a target whose sha256 (or `custom.digest`) is the canonical bundle digest
 * signs this bundle (CNAB-Sec 301). This only prevents an accident; it grants no trust.
 */
import { listBundles } from './bundle-list.js';

/** Whether the TUF repository in `metadataDir` signs a bundle whose canonical digest is `bundleDigest`. */
export async function bundleSignedIn(metadataDir: string, bundleDigest: string): Promise<boolean> {
  const hex = bundleDigest.replace(/^sha256:/, '');
  const { targets } = await listBundles({ metadataDir });
  return targets.some((t) => t.sha256 === hex || t.digest === bundleDigest);
}
