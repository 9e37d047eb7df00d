/**
 * A docker-registry holding one real installer image, and canonical pinned bundles naming it, for the release
 * tests through the CLI (safe releases, the kill -9 loop).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalizeBundleBytes } from '../../src/core/cnab/canonical.js';
import { seedImage, startRegistry, tempDir, writeImageLayout, type RunningRegistry, type TempDir, type TestImage } from './registry.js';

export interface ReleaseRegistry {
  registry: RunningRegistry;
  tmp: TempDir;
  /** `<registry>/org/app` */
  gun: string;
  image: TestImage;
  /** A canonical, pinned bundle.json of this version in the temp dir (its bytes are the signed target). */
  bundle(version: string): { file: string; bytes: Buffer; sha256: string };
  /** Whether `org/app:<tag>` exists in the registry. */
  tagged(tag: string): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startReleaseRegistry(prefix: string): Promise<ReleaseRegistry> {
  const registry = await startRegistry();
  const tmp = await tempDir(prefix);
  const image = await writeImageLayout(path.join(tmp.path, 'seed'), 'installer', [{ 'install.sh': `echo ${Math.random()}\n` }]);
  await seedImage(path.join(tmp.path, 'seed'), 'installer', `${registry.host}/src/installer:1`);
  return {
    registry,
    tmp,
    gun: `${registry.host}/org/app`,
    image,
    bundle(version) {
      const json = {
        schemaVersion: 'v1.0.0',
        name: 'app',
        version,
        invocationImages: [{ imageType: 'oci', image: `${registry.host}/src/installer:1`, contentDigest: image.manifest.digest, mediaType: image.manifest.mediaType, size: image.manifest.size }],
      };
      const bytes = Buffer.from(canonicalizeBundleBytes(Buffer.from(JSON.stringify(json))).bytes);
      const file = path.join(tmp.path, `bundle-${version}.json`);
      writeFileSync(file, bytes);
      return { file, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    },
    async tagged(tag) {
      const res = await fetch(`http://${registry.host}/v2/org/app/manifests/${tag}`, {
        method: 'HEAD',
        headers: { accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' },
      });
      return res.status === 200;
    },
    async stop() {
      await registry.stop();
      await tmp.cleanup();
    },
  };
}
