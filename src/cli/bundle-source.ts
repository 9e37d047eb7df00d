/**
 * Whether a command's bundle argument names a local file or a stored bundle (a registry reference or
 * `oci:<dir>[:tag]`), the way `verify` tells them apart: an existing path is local; `oci:` and `docker://` are
 * stored; a missing path that ends like a file name (`.json`, `.tgz`, `.tar.gz`) stays local, so a typo gives
 * E_FILE_NOT_FOUND rather than a registry lookup.
 */
import { stat } from 'node:fs/promises';

export async function isStoredBundleSource(arg: string): Promise<boolean> {
  if (arg.startsWith('oci:') || arg.startsWith('docker://')) return true;
  const exists = await stat(arg).then(
    () => true,
    () => false,
  );
  if (exists) return false;
  return !/\.(json|tgz|tar\.gz)$/i.test(arg);
}
