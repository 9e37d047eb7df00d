/** `cnab-trust serve`: publish a repository (directory, or a store such as PostgreSQL) read-only over HTTP for TUF clients. */
import { startRepositoryServer, type RepositoryServerOptions, type RunningServer } from '../../adapters/http/repository-server.js';
import { openStore } from '../../adapters/tuf-repo/open-store.js';
import { DirRepositoryStore } from '../../adapters/tuf-repo/dir-store.js';

export { startRepositoryServer, type RepositoryServerOptions, type RunningServer };

/**
 * Serve the repository `--store` names (or CNAB_TRUST_STORE); a directory store, or none, serves `dir` as files.
 * Returns where it serves (the directory, or the store's URL without its password).
 */
export async function startServer(options: RepositoryServerOptions & { storeUrl?: string | undefined }): Promise<RunningServer & { serving: string }> {
  const store = await openStore(options.storeUrl, { maxConnections: 8 });
  if (store === undefined || store instanceof DirRepositoryStore) {
    const dir = store?.location ?? options.dir;
    const server = await startRepositoryServer({ ...options, dir });
    return { ...server, serving: dir };
  }
  try {
    await store.requireExisting();
    const server = await startRepositoryServer({ ...options, files: store });
    return {
      ...server,
      serving: store.location,
      close: async () => {
        await server.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
