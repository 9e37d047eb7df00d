/**
 * The verifier's TUF step (CNAB-Sec 303): find what the repository signed for `<gun>:<tag>`, and optionally fetch
 * the target file verified against the signed length and hashes. `cnab-trust tuf get` and the end-to-end verifier
 * call these functions.
 */
import path from 'node:path';
import { targetFileName } from '../../core/tuf/naming.js';
import { readFileBounded } from '../../adapters/fs/index.js';
import { TufClient, type TufClientOptions, type TrustedTarget } from '../../adapters/tuf/tuf-client.js';

export type { TrustedTarget } from '../../adapters/tuf/tuf-client.js';

export interface TufGetOptions extends Omit<TufClientOptions, 'trustedRoot'> {
  /** Path of the bootstrap trusted root.json (or give `trustedRoot` bytes). */
  trustedRootPath?: string;
  trustedRoot?: Uint8Array;
}

/** Run `fn` with a refreshed client (TUF client workflow 5.3–5.6), closing it afterwards. */
export async function withTrustedRepository<T>(options: TufGetOptions, fn: (client: TufClient) => Promise<T>): Promise<T> {
  const trustedRoot = options.trustedRoot ?? (options.trustedRootPath === undefined ? undefined : await readTrustedRoot(options.trustedRootPath));
  const client = await TufClient.open({
    ...options,
    ...(trustedRoot === undefined ? {} : { trustedRoot }),
    ...(options.trustedRootPath === undefined ? {} : { trustedRootSource: options.trustedRootPath }),
  });
  try {
    await client.refresh();
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** The trusted target `name` (e.g. `example.com/org/app:1.2.0`): length, hashes and custom as signed. */
export async function getTrustedTarget(name: string, options: TufGetOptions): Promise<TrustedTarget> {
  return withTrustedRepository(options, (client) => client.getTarget(name));
}

/**
 * Download the target file into `directory` (file name: the URL-encoded target name) or, without a directory,
 * into memory; either way verified against the signed length and hashes (TUF client workflow 5.7.3).
 */
export async function downloadTrustedTarget(
  name: string,
  options: TufGetOptions & { directory?: string },
): Promise<{ target: TrustedTarget; path?: string; bytes?: Buffer }> {
  return withTrustedRepository(options, async (client) => {
    if (options.directory === undefined) return client.readTarget(name);
    return client.downloadTarget(name, path.join(options.directory, targetFileName(name)));
  });
}

/** The bootstrap root, bounded like tuf-js bounds root files (512000 bytes). */
function readTrustedRoot(file: string): Promise<Buffer> {
  return readFileBounded(file, { maxBytes: 512_000, what: 'trusted root' });
}
