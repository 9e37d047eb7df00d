/**
 * The layout model of a checked description, once its functionary key files are loaded: `keys` holds every
 * functionary's public key (securesystemslib form, with its keyid), each step lists its functionaries' keyids
 * in `pubkeys`, rules become word lists, and `expires` is an in-toto date (no fractional seconds).
 */
import type { SslibPublicKey } from '../../crypto/keys.js';
import type { InspectionModel, LayoutModel, StepModel } from '../metadata.js';
import { descriptionError, type DescribedKeyFile, type LayoutDescription } from './layout-description.js';

/** `2030-01-01T00:00:00Z` */
export function intotoDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function buildLayoutModel(desc: LayoutDescription, keyOf: (ref: DescribedKeyFile) => SslibPublicKey, now: Date): LayoutModel {
  const expires = 'date' in desc.expires ? desc.expires.date : intotoDate(new Date(now.getTime() + desc.expires.days * 86_400_000));
  if (Date.parse(expires) <= now.getTime()) {
    // in-toto verify: expiry. A layout that has expired already would fail every verification.
    throw descriptionError(desc.expires.at ?? { file: desc.source, line: 1 }, `expires ${expires} is not in the future (now ${intotoDate(now)})`);
  }
  const keys: Record<string, unknown> = {};
  const steps: StepModel[] = desc.steps.map((s) => {
    const pubkeys: string[] = [];
    for (const ref of s.functionaries) {
      const key = keyOf(ref);
      if (pubkeys.includes(key.keyid)) throw descriptionError(ref.at, `step '${s.name}' lists the key ${key.keyid.slice(0, 8)} twice`);
      pubkeys.push(key.keyid);
      keys[key.keyid] = { ...key };
    }
    return {
      _type: 'step',
      name: s.name,
      expected_materials: s.materials.map((r) => r.words),
      expected_products: s.products.map((r) => r.words),
      pubkeys,
      expected_command: s.command,
      threshold: s.threshold,
    };
  });
  const inspect: InspectionModel[] = desc.inspections.map((x) => ({
    _type: 'inspection',
    name: x.name,
    expected_materials: x.materials.map((r) => r.words),
    expected_products: x.products.map((r) => r.words),
    run: x.run,
  }));
  return { _type: 'layout', steps, inspect, keys, expires, readme: desc.readme };
}
