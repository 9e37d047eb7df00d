/**
 * push / pull / relocate / relocation verify against two real registries (docker-registry) and skopeo:
 * push a bundle (fixup), read the index back with `skopeo inspect --raw`, relocate with our tool and with
 * `skopeo copy --all`, verify both relocations, then tamper (mapping to other content, tag moved, missing key).
 */
import type { CopyProgress } from '../../../src/adapters/oci/copy.js';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { LayoutStore } from '../../../src/adapters/oci/layout-store.js';
import { RegistryClient } from '../../../src/adapters/oci/registry-store.js';
import { bundleConfigManifest } from '../../../src/core/oci/cnab-index.js';
import { digestOf } from '../../../src/core/oci/digest.js';
import { OCI_INDEX } from '../../../src/core/oci/media-types.js';
import { pull } from '../../../src/workflows/oci/pull.js';
import { push } from '../../../src/workflows/oci/push.js';
import { relocate } from '../../../src/workflows/oci/relocate.js';
import { relocationVerify } from '../../../src/workflows/relocation/verify.js';
import { initRepository } from '../../../src/workflows/tuf/init.js';
import { signBundle } from '../../../src/workflows/tuf/sign.js';
import { rejectsCode } from '../../helpers/assert.js';
import { cliMain } from '../../helpers/cli.js';
import { seedImage, skopeo, startRegistry, tempDir, writeImageLayout, type RunningRegistry, type TempDir, type TestImage } from '../../helpers/registry.js';

const execFileAsync = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [cliMain, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('OCI workflows: push, pull, relocate, relocation verify (docker-registry x2, skopeo)', function () {
  this.timeout(180_000);
  let a: RunningRegistry;
  let b: RunningRegistry;
  let tmp: TempDir;
  const images: Record<string, TestImage> = {};
  let bundleFile: string;
  let pushedDigest: string;
  const client = new RegistryClient();
  const f = (name: string): string => path.join(tmp.path, name);

  before(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    tmp = await tempDir();
    const layout = f('seed');
    for (const name of ['invoc', 'web', 'db', 'other']) {
      images[name] = await writeImageLayout(layout, name, [{ [`${name}.txt`]: `${name} ${Math.random()}\n` }, { 'shared.txt': 'shared layer\n' }]);
      await seedImage(layout, name, `${a.host}/src/${name}:1`);
    }
    bundleFile = f('bundle.json');
    await writeFile(
      bundleFile,
      JSON.stringify({
        schemaVersion: 'v1.0.0',
        name: 'example-app',
        version: '1.0.0',
        description: 'an <example> & test bundle',
        keywords: ['cnab', 'test'],
        maintainers: [{ name: 'Jane', email: 'jane@example.com' }],
        invocationImages: [{ imageType: 'oci', image: `${a.host}/src/invoc:1` }],
        images: {
          web: { imageType: 'oci', image: `${a.host}/src/web:1` },
          db: { imageType: 'oci', image: `${a.host}/src/db:1` },
        },
      }),
    );
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await tmp?.cleanup();
  });

  it('push --fixup pins the images, writes bundle.json, pushes the cnab-to-oci layout (skopeo inspect --raw)', async () => {
    const report = await push(bundleFile, `${a.host}/bundles/app:1.0.0`, { fixup: true });
    pushedDigest = report.digest;
    assert.equal(report.mustSign, true);
    const pinned = JSON.parse(await readFile(bundleFile, 'utf8')) as { invocationImages: { contentDigest: string }[]; images: Record<string, { contentDigest: string; size: number }> };
    assert.equal(pinned.invocationImages[0]!.contentDigest, images.invoc!.manifest.digest);
    assert.equal(pinned.images.web!.contentDigest, images.web!.manifest.digest);
    assert.equal(pinned.images.db!.size, images.db!.manifest.size);

    const raw = await skopeo(['inspect', '--raw', `docker://${a.host}/bundles/app:1.0.0`]);
    assert.equal(digestOf(Buffer.from(raw)), report.digest);
    const index = JSON.parse(raw) as { manifests: { digest: string; mediaType: string; annotations: Record<string, string> }[]; annotations: Record<string, string> };
    assert.deepEqual(
      index.manifests.map((m) => [m.annotations['io.cnab.manifest.type'], m.annotations['io.cnab.component.name']]),
      [['config', undefined], ['invocation', undefined], ['component', 'db'], ['component', 'web']],
    );
    assert.equal(index.annotations['org.opencontainers.artifactType'], 'application/vnd.cnab.manifest.v1');
    assert.equal(index.annotations['io.cnab.runtime_version'], 'v1.0.0');
    assert.equal(index.annotations['io.cnab.keywords'], '["cnab","test"]');
    assert.equal(index.annotations['org.opencontainers.image.authors'], '[{"name":"Jane","email":"jane@example.com"}]');
    assert.equal(index.annotations['org.opencontainers.image.description'], 'an <example> & test bundle');
    assert.ok(raw.includes('\\u003cexample\\u003e \\u0026'), 'strings escaped as Go marshals them');
    // the config manifest carries the canonical bundle bytes, layers null
    const config = await skopeo(['inspect', '--raw', `docker://${a.host}/bundles/app@${index.manifests[0]!.digest}`]);
    assert.match(config, /"mediaType":"application\/vnd\.cnab\.config\.v1\+json".*"layers":null/);
    assert.equal(config, bundleConfigManifest(await readFile(bundleFile)).manifestBytes.toString());
    // the images were mounted into the bundle's repository
    assert.equal((await client.repository(a.host, 'bundles/app').resolve(images.web!.manifest.digest))?.digest, images.web!.manifest.digest);
  });

  it('push without --fixup: a contentDigest the registry does not hold is E_OCI_DIGEST_MISMATCH naming both digests', async () => {
    const bundle = JSON.parse(await readFile(bundleFile, 'utf8')) as { images: Record<string, { contentDigest: string }> };
    bundle.images.web!.contentDigest = images.other!.manifest.digest;
    await writeFile(f('wrong.json'), JSON.stringify(bundle));
    const e = await rejectsCode(push(f('wrong.json'), `${a.host}/bundles/wrong:1`), 'E_OCI_DIGEST_MISMATCH');
    assert.ok(e.message.includes(images.other!.manifest.digest) && e.message.includes(images.web!.manifest.digest));
    assert.equal(await client.repository(a.host, 'bundles/wrong').resolve('1'), undefined);
  });

  it('push --fixup is refused on a bundle signed in the metadata repository (tuf init + sign)', async () => {
    const meta = f('metadata');
    const keys = f('keys');
    const gun = `${a.host}/bundles/app`;
    await initRepository({ gun, metadataDir: meta, keysDir: keys });
    await signBundle({ input: bundleFile, ref: `${gun}:1.0.0`, metadataDir: meta, keysDir: keys });
    await rejectsCode(push(bundleFile, `${a.host}/bundles/app:again`, { fixup: true, metadata: meta }), 'E_FIXUP_SIGNED');
    // another bundle (not signed there) may be fixed up
    const other = JSON.parse(await readFile(bundleFile, 'utf8')) as { version: string };
    other.version = '1.0.1';
    await writeFile(f('unsigned.json'), JSON.stringify(other));
    await push(f('unsigned.json'), `${a.host}/bundles/app:1.0.1`, { fixup: true, metadata: meta });
  });

  it('pull checks the index against the bundle and writes bundle.json and the relocation mapping', async () => {
    const report = await pull(`${a.host}/bundles/app:1.0.0`, { output: f('pulled.json'), relocationMapping: f('pulled-mapping.json') });
    assert.equal(report.digest, pushedDigest);
    assert.deepEqual(await readFile(f('pulled.json')), await readFile(bundleFile));
    const mapping = JSON.parse(await readFile(f('pulled-mapping.json'), 'utf8')) as Record<string, string>;
    assert.equal(mapping[`${a.host}/src/web:1`], `${a.host}/bundles/app@${images.web!.manifest.digest}`);
    await relocationVerify(bundleFile, f('pulled-mapping.json'));
  });

  it('relocate with our tool to the other registry, then relocation verify holds (CLI, --json)', async () => {
    const report = await relocate(`${a.host}/bundles/app:1.0.0`, `${b.host}/mirror/app`, { output: f('ours.json') });
    assert.equal(report.digest, pushedDigest);
    assert.equal((await client.repository(b.host, 'mirror/app').resolve('1.0.0'))?.digest, pushedDigest);
    const run = await cli(['relocation', 'verify', bundleFile, f('ours.json'), '--json']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const out = JSON.parse(run.stdout) as { ok: boolean; images: { ok: boolean }[] };
    assert.equal(out.ok, true);
    assert.equal(out.images.length, 3);
    // verify with the bundle pulled from the relocated registry too
    await relocationVerify(`${b.host}/mirror/app:1.0.0`, f('ours.json'));
    // a second relocation has nothing left to copy
    const again = await relocate(`${a.host}/bundles/app:1.0.0`, `${b.host}/mirror/app`, { output: f('ours2.json') });
    assert.equal(again.stats.blobsCopied, 0);
  });

  it('relocate with skopeo copy --all: same digests, our pull and relocation verify accept it', async () => {
    await skopeo(['copy', '--all', `docker://${a.host}/bundles/app:1.0.0`, `docker://${b.host}/skopeo/app:1.0.0`]);
    const report = await pull(`${b.host}/skopeo/app:1.0.0`, { output: f('skopeo-bundle.json'), relocationMapping: f('skopeo-mapping.json') });
    assert.equal(report.digest, pushedDigest);
    // the mapping pulled from the skopeo copy, keyed by the original references
    const ours = JSON.parse(await readFile(f('ours.json'), 'utf8')) as Record<string, string>;
    const theirs = JSON.parse(await readFile(f('skopeo-mapping.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(theirs).sort(), Object.keys(ours).sort());
    await relocationVerify(bundleFile, f('skopeo-mapping.json'));
  });

  it('relocated references by tag: verified, then a tag moved to other content is E_RELOCATED_DIGEST_MISMATCH', async () => {
    const mapping: Record<string, string> = {};
    for (const name of ['invoc', 'web', 'db']) {
      await skopeo(['copy', '--preserve-digests', `oci:${f('seed')}:${name}`, `docker://${b.host}/tagged/${name}:1`]);
      mapping[`${a.host}/src/${name}:1`] = `${b.host}/tagged/${name}:1`;
    }
    await writeFile(f('tagged.json'), JSON.stringify(mapping));
    await relocationVerify(bundleFile, f('tagged.json'));
    await skopeo(['copy', '--preserve-digests', `oci:${f('seed')}:other`, `docker://${b.host}/tagged/web:1`]);
    const e = await rejectsCode(relocationVerify(bundleFile, f('tagged.json')), 'E_RELOCATED_DIGEST_MISMATCH');
    assert.ok(e.message.includes(images.other!.manifest.digest) && e.message.includes(images.web!.manifest.digest), e.message);
    const run = await cli(['relocation', 'verify', bundleFile, f('tagged.json'), '--json']);
    assert.equal(run.code, 1);
    assert.equal((JSON.parse(run.stdout) as { error: { code: string } }).error.code, 'E_RELOCATED_DIGEST_MISMATCH');
  });

  it('a mapping pointing at other content, an absent image, a missing key: each refused with its code', async () => {
    const ours = JSON.parse(await readFile(f('ours.json'), 'utf8')) as Record<string, string>;
    const other = { ...ours, [`${a.host}/src/web:1`]: `${b.host}/mirror/app@${images.db!.manifest.digest}` };
    await writeFile(f('other.json'), JSON.stringify(other));
    await rejectsCode(relocationVerify(bundleFile, f('other.json')), 'E_RELOCATED_DIGEST_MISMATCH');
    const absent = { ...ours, [`${a.host}/src/web:1`]: `${b.host}/nowhere/app@${images.web!.manifest.digest}` };
    await writeFile(f('absent.json'), JSON.stringify(absent));
    await rejectsCode(relocationVerify(bundleFile, f('absent.json')), 'E_RELOCATED_IMAGE_MISSING');
    const missing = { ...ours };
    delete missing[`${a.host}/src/db:1`];
    await writeFile(f('missing.json'), JSON.stringify(missing));
    await rejectsCode(relocationVerify(bundleFile, f('missing.json')), 'E_RELOCATION_MISSING');
    const run = await cli(['relocation', 'verify', bundleFile, f('missing.json')]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /E_RELOCATION_MISSING/);
  });

  it('relocate reports progress: the image being copied, bytes done of the total, done = total at the end', async () => {
    const events: CopyProgress[] = [];
    await relocate(`${a.host}/bundles/app:1.0.0`, `oci:${f('progress')}`, { output: f('progress-mapping.json'), onProgress: (p) => events.push({ ...p }) });
    assert.ok(events.length > 0);
    const last = events[events.length - 1]!;
    assert.ok(last.totalBytes > 0);
    assert.equal(last.doneBytes, last.totalBytes);
    assert.equal(last.bytes, last.totalBytes, 'an empty layout has none of the blobs: every byte transferred');
    const named = new Set(events.map((e) => e.image).filter((i) => i !== undefined));
    assert.ok(named.size > 0 && [...named].every((i) => Object.keys(images).some((n) => i!.includes(n))), [...named].join(', '));
    for (const e of events) assert.ok(e.doneBytes <= e.totalBytes);
  });

  it('push, pull and relocate work the same on OCI layout directories (oci:dir:tag)', async () => {
    const pushed = await push(bundleFile, `oci:${f('out')}:1.0.0`);
    assert.equal(pushed.digest, pushedDigest, 'same index bytes in a layout as in a registry');
    await skopeo(['inspect', '--raw', `oci:${f('out')}:1.0.0`]).then((raw) => assert.equal(digestOf(Buffer.from(raw)), pushedDigest));
    const rel = await relocate(`oci:${f('out')}:1.0.0`, `${b.host}/from-layout/app`, { output: f('layout-mapping.json') });
    assert.equal(rel.digest, pushedDigest);
    await relocationVerify(bundleFile, f('layout-mapping.json'));
    const back = await relocate(`${b.host}/from-layout/app:1.0.0`, `oci:${f('airgap')}`, { output: f('airgap-mapping.json') });
    assert.equal(back.digest, pushedDigest);
    const pulled = await pull(`oci:${f('airgap')}:1.0.0`, { output: f('airgap-bundle.json') });
    assert.equal(pulled.digest, pushedDigest);
    // a mapping into an OCI layout directory (oci:dir@sha256:...) is verified against the layout's index
    const airgapMapping = JSON.parse(await readFile(f('airgap-mapping.json'), 'utf8')) as Record<string, string>;
    assert.ok(Object.values(airgapMapping).every((v) => v.startsWith('oci:')), 'relocate into a layout writes oci: values');
    const verified = await relocationVerify(bundleFile, f('airgap-mapping.json'));
    assert.ok(verified.images.every((i) => i.ok));
    const [firstKey] = Object.keys(airgapMapping);
    const elsewhere = { ...airgapMapping, [firstKey!]: `oci:${f('out')}@sha256:${'0'.repeat(64)}` };
    await writeFile(f('airgap-bad.json'), JSON.stringify(elsewhere));
    await rejectsCode(relocationVerify(bundleFile, f('airgap-bad.json')), 'E_RELOCATED_DIGEST_MISMATCH');
    const layoutTag = { ...airgapMapping, [firstKey!]: `oci:${f('empty-layout')}:1.0.0` };
    await writeFile(f('airgap-missing.json'), JSON.stringify(layoutTag));
    await rejectsCode(relocationVerify(bundleFile, f('airgap-missing.json')), 'E_RELOCATED_IMAGE_MISSING');
    // by tag in a layout: the tag must resolve to the signed digest, so a moved tag is refused
    const webKey = `${a.host}/src/web:1`;
    await new LayoutStore(f('airgap')).pushManifest(images.web!.manifestBytes, images.web!.manifest.mediaType, 'web');
    const byTag = { ...airgapMapping, [webKey]: `oci:${f('airgap')}:web` };
    await writeFile(f('airgap-tag.json'), JSON.stringify(byTag));
    await relocationVerify(bundleFile, f('airgap-tag.json'));
    await new LayoutStore(f('airgap')).pushManifest(images.db!.manifestBytes, images.db!.manifest.mediaType, 'web');
    await rejectsCode(relocationVerify(bundleFile, f('airgap-tag.json')), 'E_RELOCATED_DIGEST_MISMATCH');
  });

  describe('bad input on pull', () => {
    async function craftedIndex(dir: string, mutate: (index: { manifests: Record<string, unknown>[]; annotations: Record<string, string> }) => void, bundleBytes?: Buffer): Promise<void> {
      // start from the real bundle in a layout, then store a changed index under tag "bad"
      await push(bundleFile, `oci:${dir}:good`);
      const store = new LayoutStore(dir);
      if (bundleBytes !== undefined) {
        const cfg = bundleConfigManifest(bundleBytes);
        await store.pushBlob(cfg.configDescriptor, cfg.configBlob);
        await store.pushManifest(cfg.manifestBytes, cfg.manifestDescriptor.mediaType, cfg.manifestDescriptor.digest);
      }
      const index = JSON.parse(Buffer.from((await store.fetchManifest('good')).bytes).toString()) as { manifests: Record<string, unknown>[]; annotations: Record<string, string> };
      if (bundleBytes !== undefined) {
        const cfg = bundleConfigManifest(bundleBytes);
        index.manifests[0] = { ...index.manifests[0], digest: cfg.manifestDescriptor.digest, size: cfg.manifestDescriptor.size };
      }
      mutate(index);
      await store.pushManifest(Buffer.from(JSON.stringify(index)), OCI_INDEX, 'bad');
    }

    it('an index naming a component absent from the bundle: E_OCI_INDEX_INVALID', async () => {
      await craftedIndex(f('bad1'), (ix) => {
        ix.manifests.push({ ...ix.manifests[3], annotations: { 'io.cnab.manifest.type': 'component', 'io.cnab.component.name': 'ghost' } });
      });
      await rejectsCode(pull(`oci:${f('bad1')}:bad`, { output: f('x.json') }), 'E_OCI_INDEX_INVALID', /ghost/);
    });
    it('an unknown media type in the index: E_OCI_MEDIA_TYPE', async () => {
      await craftedIndex(f('bad2'), (ix) => {
        ix.manifests[2] = { ...ix.manifests[2], mediaType: 'application/x-unknown' };
      });
      await rejectsCode(pull(`oci:${f('bad2')}:bad`, { output: f('x.json') }), 'E_OCI_MEDIA_TYPE');
    });
    it('an index whose image digest is not the bundle contentDigest: E_OCI_DIGEST_MISMATCH', async () => {
      const bundle = JSON.parse(await readFile(bundleFile, 'utf8')) as { images: Record<string, { contentDigest: string }> };
      bundle.images.web!.contentDigest = images.other!.manifest.digest;
      await craftedIndex(f('bad3'), () => undefined, Buffer.from(JSON.stringify(bundle)));
      await rejectsCode(pull(`oci:${f('bad3')}:bad`, { output: f('x.json') }), 'E_OCI_DIGEST_MISMATCH');
    });
    it('an image manifest where a bundle index is expected: E_OCI_MEDIA_TYPE', async () => {
      await rejectsCode(pull(`${a.host}/src/web:1`, { output: f('x.json') }), 'E_OCI_MEDIA_TYPE');
    });
    it('a reference with a bad host or digest: E_REFERENCE_INVALID / E_DIGEST_INVALID', async () => {
      await rejectsCode(pull('bad_host!:5000/x:1', { output: f('x.json') }), 'E_REFERENCE_INVALID');
      await rejectsCode(pull(`${a.host}/x@sha256:1234`, { output: f('x.json') }), 'E_DIGEST_INVALID');
    });
  });

  it('a registry that goes away mid-copy: relocate fails cleanly, no tag on an incomplete index; a rerun resumes', async () => {
    // a proxy in front of registry B that drops every connection after a few requests
    let requests = 0;
    const proxy = http.createServer((req, res) => {
      if (++requests > 12) {
        req.socket.destroy();
        return;
      }
      const up = http.request({ host: '127.0.0.1', port: Number(b.host.split(':')[1]), method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => req.socket.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxied = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      await assert.rejects(relocate(`${a.host}/bundles/app:1.0.0`, `${proxied}/flaky/app`, { output: f('flaky.json'), retries: 1 }));
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
    assert.equal(await client.repository(b.host, 'flaky/app').resolve('1.0.0'), undefined, 'no tag on an incomplete copy');
    const rerun = await relocate(`${a.host}/bundles/app:1.0.0`, `${b.host}/flaky/app`, { output: f('flaky.json') });
    assert.equal(rerun.digest, pushedDigest);
    await relocationVerify(bundleFile, f('flaky.json'));
  });
});
