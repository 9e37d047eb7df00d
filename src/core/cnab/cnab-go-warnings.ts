/** What to tell a user before signing a bundle that cnab-go (Porter, cnab-to-oci) would store as other bytes. */
import type { CnabGoStoredForm } from './cnab-go-marshal.js';

/** Warnings about cnab-go's form of a bundle: it cannot read it, or it would store other bytes than `file`'s canonical ones. */
export function cnabGoWarnings(file: string, cnabGo: CnabGoStoredForm): string[] {
  const unreadable = cnabGo.changes.filter((c) => c.change === 'unreadable');
  const out: string[] = [];
  if (unreadable.length > 0) {
    out.push(`cnab-go (Porter, cnab-to-oci) cannot read this bundle: ${unreadable.map((c) => `${c.path}: ${c.reason}`).join('; ')}`);
  }
  if (!cnabGo.same) {
    const changed = cnabGo.changes.filter((c) => c.change !== 'unreadable');
    out.push(
      `pushed with Porter or cnab-to-oci, this bundle is stored as cnab-go marshals it (${cnabGo.digest}), not as ${file}'s canonical bytes: ` +
        `${changed.map((c) => `${c.path} ${c.change} (${c.reason})`).join('; ')}. ` +
        'Sign what is stored: cnab-trust sign <registry ref> --ref <gun>:<tag>',
    );
  }
  return out;
}
