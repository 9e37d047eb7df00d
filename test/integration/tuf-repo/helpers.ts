/** Shared pieces of the TUF repository (sign side) integration tests. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { vectorsDir } from '../../helpers/paths.js';
import { getTrustedTarget } from '../../../src/workflows/tuf/get.js';
import type { TrustedTarget } from '../../../src/workflows/tuf/get.js';

export const GUN = 'example.com/example-org/example-bundle';

/** A thin bundle with every image pinned (CNAB 201 example vector), written into `dir`. */
export function pinnedBundle(dir: string, name = 'bundle.json', version?: string): string {
  const json = JSON.parse(readFileSync(path.join(vectorsDir, 'cnab-201-example.bundle.json'), 'utf8')) as Record<string, unknown>;
  if (version !== undefined) json.version = version;
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

/** The same bundle with its invocation image's contentDigest removed. */
export function unpinnedBundle(dir: string): string {
  const json = JSON.parse(readFileSync(path.join(vectorsDir, 'cnab-201-example.bundle.json'), 'utf8')) as {
    invocationImages: { contentDigest?: string }[];
  };
  delete json.invocationImages[0]!.contentDigest;
  const file = path.join(dir, 'unpinned.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

/** What the tuf-js client (through `tuf get`) trusts for `name`, starting from root v1, with a fresh cache. */
export async function clientGet(metadataDir: string, name: string, now?: Date, trustedRootVersion = 1): Promise<TrustedTarget> {
  return getTrustedTarget(name, {
    trustedRoot: readFileSync(path.join(metadataDir, `${trustedRootVersion}.root.json`)),
    metadata: metadataDir,
    ...(now === undefined ? {} : { now: () => now }),
  });
}
