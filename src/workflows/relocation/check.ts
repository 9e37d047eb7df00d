/**
 * `relocation check`: read a bundle and a CNAB 103 relocation mapping, run the offline check (core/relocation)
 * and report per image whether it is pinned to its signed digest or must still be resolved live in a registry.
 * No network. `relocation verify` (OCI) adds the live resolution on top of the same plan.
 */
import { readFileBounded } from '../../adapters/fs/index.js';
import { readRelocationMapping } from '../../adapters/relocation/mapping-file.js';
import { bundleImages, parseBundle } from '../../core/cnab/index.js';
import { checkRelocationMapping, relocatedImageIdentity, type RelocationPlan } from '../../core/relocation/index.js';

export interface RelocationCheckImage {
  image: string;
  kind: 'invocation' | 'component';
  component?: string;
  index?: number;
  original: string;
  relocated: string;
  expectedDigest: string;
  /** `pinned`: the relocated reference carries the signed digest. `resolve`: a registry must confirm the tag. */
  status: 'pinned' | 'resolve';
}

/** The `--json` report of `relocation check`. */
export interface RelocationCheckReport {
  bundle: string;
  mapping: string;
  /** The offline check passed: every image is mapped, and every pinned value carries its contentDigest. */
  ok: true;
  images: RelocationCheckImage[];
  /** How many images must still be resolved live (`cnab-trust relocation verify`). */
  toResolve: number;
  /** Mapping keys that name no image of the bundle. */
  unusedKeys: string[];
}

/** Read `bundle.json` and the mapping and check them; throws the first failing check's error. */
export async function relocationCheckPlan(bundleFile: string, mappingFile: string): Promise<RelocationPlan> {
  const bundle = parseBundle(await readFileBounded(bundleFile, { what: 'bundle' }), { source: bundleFile });
  const mapping = await readRelocationMapping(mappingFile);
  return checkRelocationMapping(bundleImages(bundle), mapping);
}

export async function relocationCheck(bundleFile: string, mappingFile: string): Promise<RelocationCheckReport> {
  const plan = await relocationCheckPlan(bundleFile, mappingFile);
  return {
    bundle: bundleFile,
    mapping: mappingFile,
    ok: true,
    images: plan.entries.map((e) => {
      const { label, ...identity } = relocatedImageIdentity(e);
      return { image: label, ...identity, status: e.status };
    }),
    toResolve: plan.toResolve.length,
    unusedKeys: plan.unusedKeys,
  };
}
