/** The bundles a repository signs: every `<gun>:<tag>` target of its delegated roles, sorted by name. */
import { isBundleTargetOf, TARGETS } from '../../core/tuf/naming.js';
import { LoadedRepository, openRepository, type RepoOptions } from './repository.js';

export interface ListedTarget {
  name: string;
  tag: string;
  length: number;
  sha256: string;
  /** The bundle digest (`custom.digest`, canonical bundle.json) when the target carries it. */
  digest?: string;
  role: string;
  custom?: Record<string, unknown>;
}

export async function listBundles(opts: RepoOptions): Promise<{ gun: string; targets: ListedTarget[] }> {
  const ctx = await openRepository(opts);
  const repo = await LoadedRepository.load(ctx.store);
  const gun = ctx.config.gun;
  const out: ListedTarget[] = [];
  for (const role of repo.targetsRoleNames()) {
    if (role === TARGETS) continue;
    const md = await repo.targetsRole(role);
    for (const t of Object.values(md.signed.targets)) {
      if (!isBundleTargetOf(gun, t.path)) continue;
      const custom = t.unrecognizedFields.custom as Record<string, unknown> | undefined;
      out.push({
        name: t.path,
        tag: t.path.slice(gun.length + 1),
        length: t.length,
        sha256: t.hashes.sha256 ?? '',
        ...(typeof custom?.digest === 'string' ? { digest: custom.digest } : {}),
        role,
        ...(custom === undefined ? {} : { custom }),
      });
    }
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { gun, targets: out };
}
