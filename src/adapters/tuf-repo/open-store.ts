/**
 * Choose the repository store: `--store` (or CNAB_TRUST_STORE) naming a `postgres://` URL opens the PostgreSQL
 * store (its client is loaded only then); naming a directory opens the directory store there; neither leaves the
 * choice to `--metadata`.
 */
import path from 'node:path';
import { DirRepositoryStore } from './dir-store.js';
import type { RepositoryStore } from './repository-store.js';

export const STORE_ENV = 'CNAB_TRUST_STORE';

export function storeSpec(spec?: string): string | undefined {
  const s = spec ?? process.env[STORE_ENV];
  return s === undefined || s === '' ? undefined : s;
}

export async function openStore(spec?: string, opts: { maxConnections?: number } = {}): Promise<RepositoryStore | undefined> {
  const s = storeSpec(spec);
  if (s === undefined) return undefined;
  if (/^postgres(ql)?:\/\//i.test(s)) {
    const { PgRepositoryStore } = await import('./pg-store.js');
    return new PgRepositoryStore(s, opts);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    const { CnabTrustError } = await import('../../core/errors.js');
    throw new CnabTrustError('E_USAGE', `unsupported store ${s.replace(/\/\/[^@/]*@/, '//')}`, {
      subject: '--store',
      hint: 'a postgres://USER@HOST:PORT/DATABASE URL, or a directory',
    });
  }
  return new DirRepositoryStore(path.resolve(s));
}
