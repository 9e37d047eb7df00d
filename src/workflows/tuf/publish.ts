/**
 * `cnab-trust publish --store postgres://... --to DIR`: a static copy of a repository kept in a store (PostgreSQL)
 * for any static host or CDN, written in the client-safe order: target files, targets roles, snapshots, root
 * versions, then `timestamp.json` and `root.json` last, each file atomically. Versioned files never change once
 * published, so a file already in DIR with the same length is left alone (copies after the first are cheap); a
 * client reading DIR mid-copy sees the old timestamp until every file the new one names is there.
 */
import path from 'node:path';
import { CnabTrustError } from '../../core/errors.js';
import { parseJson } from '../../core/json/index.js';
import { checkRoleName } from '../../core/tuf/naming.js';
import { regularFileSize, writeFileAtomic } from '../../adapters/fs/index.js';
import { openStore } from '../../adapters/tuf-repo/open-store.js';

export interface PublishOptions {
  storeUrl?: string | undefined;
  to: string;
}

export interface PublishReport {
  store: string;
  to: string;
  written: number;
  unchanged: number;
  bytes: number;
  timestampVersion: number;
}

export async function publishStore(opts: PublishOptions): Promise<PublishReport> {
  const store = await openStore(opts.storeUrl);
  if (store === undefined || store.files === undefined) {
    await store?.close();
    throw new CnabTrustError('E_USAGE', 'publish copies a repository kept in a store such as PostgreSQL; this one is already a directory', {
      subject: '--store',
      hint: 'pass --store postgres://... (or set CNAB_TRUST_STORE); a directory repository is served or copied as it is',
    });
  }
  const to = path.resolve(opts.to);
  const report: PublishReport = { store: store.location, to, written: 0, unchanged: 0, bytes: 0, timestampVersion: 0 };
  try {
    for await (const f of store.files()) {
      // Every path the store yields is relative and made of checked role or target segments.
      checkRelative(f.path);
      const file = path.join(to, ...f.path.split('/'));
      if (!f.mutable) {
        if ((await regularFileSize(file)) === f.bytes.length) {
          report.unchanged++;
          continue;
        }
      }
      await writeFileAtomic(file, f.bytes, { mode: 0o644, mkdirs: true });
      report.written++;
      report.bytes += f.bytes.length;
      if (f.path === 'timestamp.json') {
        report.timestampVersion = (parseJson(f.bytes, { source: 'timestamp.json' }) as { signed: { version: number } }).signed.version;
      }
    }
  } finally {
    await store.close();
  }
  return report;
}

function checkRelative(rel: string): void {
  if (rel.startsWith('targets/')) {
    if (rel.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new CnabTrustError('E_TUF_INVALID', `target path not usable in a copy: ${rel}`, { subject: rel });
    }
    return;
  }
  checkRoleName(rel.replace(/\.json$/, ''));
}
