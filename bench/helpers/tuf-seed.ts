/**
 * A TUF repository with many bundle targets, built fast: a real `init` (flat `targets/releases`, or TAP 15 bins),
 * then one commit that writes every target at once (one signed version of each role), not one `sign` per bundle.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Metadata, TargetFile, Targets } from '@tufjs/models';
import { initRepository } from '../../src/workflows/tuf/init.js';
import { commitChange, LoadedRepository, openRepository, withLock } from '../../src/adapters/tuf-repo/repository.js';
import { RELEASES } from '../../src/core/tuf/naming.js';
import { releasesRoleFor, targetFile, withTargets } from '../../src/core/tuf/transitions.js';

export interface SeededRepository {
  metadataDir: string;
  keysDir: string;
}

/** `count` bundle targets named `<gun>:v<i>` in `dir`/metadata, keys in `dir`/keys; `bins` = TAP 15 bin count. */
export async function seedRepository(dir: string, gun: string, count: number, bins: number | undefined): Promise<SeededRepository> {
  const d = { metadataDir: path.join(dir, 'metadata'), keysDir: path.join(dir, 'keys') };
  await initRepository({ ...d, gun, ...(bins === undefined ? {} : { bins }) });
  const ctx = await openRepository(d);
  await withLock(ctx, async () => {
    const repo = await LoadedRepository.load(ctx.store);
    const releases = await repo.targetsRole(RELEASES);
    const byRole = new Map<string, TargetFile[]>();
    for (let i = 0; i < count; i++) {
      const name = `${gun}:v${i}`;
      const digest = createHash('sha256').update(name).digest('hex');
      const t = targetFile(name, Buffer.from(name), { name: 'helloworld', version: `0.${i}.0`, digest: `sha256:${digest}` });
      const role = releasesRoleFor(releases, name);
      (byRole.get(role) ?? byRole.set(role, []).get(role)!).push(t);
    }
    const changed = new Map<string, Metadata<Targets>>();
    for (const [role, files] of byRole) changed.set(role, withTargets(await repo.targetsRole(role), files, ctx.now, 30));
    await commitChange(ctx, repo, { description: 'seed', targetsRoles: changed, targetFiles: [] });
  });
  return d;
}
