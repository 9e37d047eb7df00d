/**
 * Put a bundle release into a `TufTestRepo` under the CNAB-Sec 301 names: the bundle `<gun>:<tag>` and its links
 * signed by `targets/releases`, the root layout and its keys signed by the top-level `targets` role, and the
 * bundle's `custom.in-toto` listing the layout and the links. Each part can be moved or dropped to build the
 * tampering cases a real signer would never write.
 */
import { createHash } from 'node:crypto';
import { RELEASES, type TufTestRepo } from './tuf-repo.js';
import type { SignedChain } from './intoto-chain.js';

export interface ReleaseOptions {
  chain?: SignedChain;
  /** Role listing the layout key targets (default `targets`). */
  keyRole?: 'targets' | 'targets/releases';
  /** Role listing the root layout target (default `targets`). */
  layoutRole?: 'targets' | 'targets/releases';
  /** Link files left out of the bundle's custom in-toto listing (and of the repository). */
  dropLinks?: string[];
}

export interface PublishedRelease {
  name: string;
  layout?: string;
  keys: string[];
  links: string[];
}

export function addRelease(repo: TufTestRepo, tag: string, bundleBytes: Buffer, options: ReleaseOptions = {}): PublishedRelease {
  const name = `${repo.gun}:${tag}`;
  const hex = createHash('sha256').update(bundleBytes).digest('hex');
  const chain = options.chain;
  if (chain === undefined) {
    repo.addTarget(name, bundleBytes);
    return { name, keys: [], links: [] };
  }
  const keyTarget = `${repo.gun}/in-toto-pubkeys/${chain.ownerKey.publicKey.keyid}.pub`;
  const layoutTarget = `${repo.gun}/in-toto-metadata/root.layout`;
  repo.addTarget(keyTarget, Buffer.from(chain.ownerKey.publicFile), undefined, options.keyRole ?? 'targets');
  repo.addTarget(layoutTarget, chain.layout, { 'in-toto': [keyTarget] }, options.layoutRole ?? 'targets');
  const links: string[] = [];
  for (const [file, bytes] of chain.links) {
    if (options.dropLinks?.includes(file)) continue;
    const linkTarget = `${repo.gun}/in-toto-metadata/${hex}/${file}`;
    repo.addTarget(linkTarget, bytes, undefined, RELEASES);
    links.push(linkTarget);
  }
  repo.addTarget(name, bundleBytes, { 'in-toto': [layoutTarget, ...links] });
  return { name, layout: layoutTarget, keys: [keyTarget], links };
}
