/**
 * A repository made by `init` and `sign` (the sign side, src/workflows/tuf/init.ts and sign.ts) is read by the
 * tuf-js client over `cnab-trust serve` and over `python3 -m http.server` on the same directory: every file the
 * client requests is found (N.root.json, timestamp.json, N.snapshot.json, N.targets.json,
 * N.targets%2Freleases.json -> N.targets/releases.json, hash-prefixed target files), also after a later sign
 * moves a cached client forward, and after key rotations (root through N+1.root.json, timestamp, targets/releases).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { vectorsDir } from '../../helpers/paths.js';
import { startPythonHttpServer } from '../../helpers/python-http-server.js';
import { initRepository } from '../../../src/workflows/tuf/init.js';
import { signBundle } from '../../../src/workflows/tuf/sign.js';
import { changeRoleKeys } from '../../../src/workflows/tuf/metadata.js';
import { startRepositoryServer } from '../../../src/adapters/http/repository-server.js';
import { getTrustedTarget, downloadTrustedTarget } from '../../../src/workflows/tuf/get.js';
import { canonicalizeBundleBytes } from '../../../src/core/cnab/index.js';

const GUN = 'example.com/example-org/example-bundle';

describe('tuf get over serve and python3 -m http.server, on a repository from init + sign', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let metadataDir: string;
  let keysDir: string;
  const bundleFile = path.join(vectorsDir, 'cnab-201-example.bundle.json');

  before(async () => {
    tmp = makeTempDir();
    metadataDir = path.join(tmp.dir, 'metadata');
    keysDir = path.join(tmp.dir, 'keys');
    await initRepository({ metadataDir, keysDir, gun: GUN });
    await signBundle({ metadataDir, keysDir, input: bundleFile, ref: `${GUN}:1.0.0` });
  });
  after(() => tmp.remove());

  const servers = {
    'cnab-trust serve': async () => {
      const s = await startRepositoryServer({ dir: metadataDir });
      return { url: s.url, stop: () => s.close() };
    },
    'python3 -m http.server': () => startPythonHttpServer(metadataDir),
  };

  for (const [label, start] of Object.entries(servers)) {
    it(`${label}: finds every file, downloads the bundle, follows a later sign and key rotations`, async () => {
      const server = await start();
      try {
        const trustedRoot = readFileSync(path.join(metadataDir, '1.root.json'));
        const cacheDir = path.join(tmp.dir, `cache-${label.replace(/\W+/g, '-')}`);
        const opts = { trustedRoot, metadata: server.url, cacheDir, http: { retries: 0 } };
        const signedBytes = canonicalizeBundleBytes(readFileSync(bundleFile)).bytes;
        const got = await downloadTrustedTarget(`${GUN}:1.0.0`, opts);
        assert.deepEqual(Buffer.from(got.bytes!), Buffer.from(signedBytes));
        assert.equal(got.target.custom.name, 'helloworld');
        // a new release: the cached client moves to the new timestamp/snapshot/targets/releases versions
        await signBundle({ metadataDir, keysDir, input: bundleFile, ref: `${GUN}:${label.length}.0.0` });
        const later = await getTrustedTarget(`${GUN}:${label.length}.0.0`, opts);
        assert.equal(later.hashes.sha256, got.target.hashes.sha256);
        // key rotations: the cached client walks the new N.root.json files and trusts the new keys
        const rootBefore = JSON.parse(readFileSync(path.join(cacheDir, 'root.json'), 'utf8')).signed.version as number;
        for (const role of ['root', 'timestamp', 'targets/releases']) {
          await changeRoleKeys({ metadataDir, keysDir, role, generate: 1, replaceAll: true });
        }
        await signBundle({ metadataDir, keysDir, input: bundleFile, ref: `${GUN}:${label.length}.1.0` });
        assert.equal((await getTrustedTarget(`${GUN}:${label.length}.1.0`, opts)).length, got.target.length);
        const rootAfter = JSON.parse(readFileSync(path.join(cacheDir, 'root.json'), 'utf8')).signed.version as number;
        assert.ok(rootAfter >= rootBefore + 2, `root ${rootBefore} -> ${rootAfter}`);
        // and a client bootstrapped from root v1 walks every root version
        const fresh = await downloadTrustedTarget(`${GUN}:${label.length}.1.0`, { trustedRoot, metadata: server.url, http: { retries: 0 } });
        assert.deepEqual(Buffer.from(fresh.bytes!), Buffer.from(signedBytes));
      } finally {
        await server.stop();
      }
    });
  }
});
