import assert from 'node:assert/strict';
import type { Bundle } from '../../../src/core/cnab/index.js';
import {
  bundleConfigDescriptor,
  bundleConfigManifest,
  bundleIndexBytes,
  matchIndexToBundle,
  readBundleIndex,
  type BundleIndex,
} from '../../../src/core/oci/cnab-index.js';
import { parseManifest, type ImageIndex, type ImageManifest } from '../../../src/core/oci/manifest.js';
import { throwsCode } from '../../helpers/assert.js';

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const M = 'application/vnd.oci.image.manifest.v1+json';

const bundle: Bundle = {
  schemaVersion: 'v1.0.0',
  name: 'app',
  version: '1.0.0',
  keywords: ['a&b'],
  invocationImages: [{ image: 'reg.example/app/inv:1', contentDigest: D('1') }],
  images: {
    web: { image: 'reg.example/app/web:1', contentDigest: D('2') },
    api: { image: 'reg.example/app/api:1', contentDigest: D('3') },
  },
};

function descriptor(digest: string, annotations: Record<string, string>): { mediaType: string; digest: string; size: number; annotations: Record<string, string> } {
  return { mediaType: M, digest, size: 10, annotations };
}

function index(manifests: ReturnType<typeof descriptor>[], annotations: Record<string, string> = {}): ImageIndex {
  return { kind: 'index', mediaType: 'application/vnd.oci.image.index.v1+json', manifests, annotations };
}

const config = descriptor(D('c'), { 'io.cnab.manifest.type': 'config' });
const inv = descriptor(D('1'), { 'io.cnab.manifest.type': 'invocation' });
const api = descriptor(D('3'), { 'io.cnab.manifest.type': 'component', 'io.cnab.component.name': 'api' });
const web = descriptor(D('2'), { 'io.cnab.manifest.type': 'component', 'io.cnab.component.name': 'web' });

describe('core/oci CNAB index (CNAB 200/201, cnab-to-oci layout)', () => {
  it('writes config first, invocation images, components by name, with Go escaping', () => {
    const cfg = bundleConfigManifest(Buffer.from('{}'));
    assert.match(cfg.manifestBytes.toString(), /^\{"schemaVersion":2,"config":\{"mediaType":"application\/vnd\.cnab\.config\.v1\+json","digest":"sha256:[0-9a-f]{64}","size":2\},"layers":null\}$/);
    const bytes = bundleIndexBytes(bundle, cfg, [
      { image: { kind: 'invocation', index: 0, reference: 'x', path: '', imageType: 'oci' }, descriptor: inv },
      { image: { kind: 'component', component: 'api', reference: 'y', path: '', imageType: 'oci' }, descriptor: api },
      { image: { kind: 'component', component: 'web', reference: 'z', path: '', imageType: 'oci' }, descriptor: web },
    ]);
    const parsed = parseManifest(bytes, 'index') as ImageIndex;
    assert.deepEqual(
      parsed.manifests.map((m) => m.annotations?.['io.cnab.component.name'] ?? m.annotations?.['io.cnab.manifest.type']),
      ['config', 'invocation', 'api', 'web'],
    );
    // Go marshals the keywords to a JSON string (escaping &), which is then marshalled again as an annotation value
    assert.ok(bytes.toString().includes(String.raw`"io.cnab.keywords":"[\"a\\u0026b\"]"`), bytes.toString());
    const read = readBundleIndex(parsed, 'index');
    assert.equal(matchIndexToBundle(read, bundle, 'index').length, 3);
  });

  it('refuses indexes that are not CNAB bundle indexes', () => {
    throwsCode(() => readBundleIndex(index([inv]), 'i'), 'E_OCI_INDEX_INVALID', /no manifest annotated/);
    throwsCode(() => readBundleIndex(index([config, config]), 'i'), 'E_OCI_INDEX_INVALID', /second bundle config/);
    throwsCode(() => readBundleIndex(index([config, descriptor(D('4'), {})]), 'i'), 'E_OCI_INDEX_INVALID', /no io\.cnab\.manifest\.type/);
    throwsCode(() => readBundleIndex(index([config, descriptor(D('4'), { 'io.cnab.manifest.type': 'other' })]), 'i'), 'E_OCI_INDEX_INVALID', /unknown type/);
    throwsCode(() => readBundleIndex(index([config, descriptor(D('4'), { 'io.cnab.manifest.type': 'component' })]), 'i'), 'E_OCI_INDEX_INVALID');
    throwsCode(() => readBundleIndex(index([config, web, web]), 'i'), 'E_OCI_INDEX_INVALID', /twice/);
    throwsCode(() => readBundleIndex(index([config], { 'org.opencontainers.artifactType': 'application/x-other' }), 'i'), 'E_OCI_MEDIA_TYPE');
    throwsCode(() => readBundleIndex(index([config, { ...inv, mediaType: 'application/x-tar' }]), 'i'), 'E_OCI_MEDIA_TYPE');
  });

  it('refuses an index that does not match its bundle', () => {
    const match = (ix: ImageIndex, b: Bundle = bundle): unknown => matchIndexToBundle(readBundleIndex(ix, 'i') as BundleIndex, b, 'i');
    throwsCode(() => match(index([config, inv, api, web, descriptor(D('5'), { 'io.cnab.manifest.type': 'component', 'io.cnab.component.name': 'ghost' })])), 'E_OCI_INDEX_INVALID', /ghost/);
    throwsCode(() => match(index([config, inv, inv, api, web])), 'E_OCI_INDEX_INVALID', /invocation/);
    throwsCode(() => match(index([config, inv, web])), 'E_OCI_INDEX_INVALID', /api/);
    throwsCode(() => match(index([config, inv, { ...api, digest: D('9') }, web])), 'E_OCI_DIGEST_MISMATCH');
    const unpinned: Bundle = { ...bundle, images: { ...bundle.images, web: { image: 'reg.example/app/web:1' } } };
    throwsCode(() => match(index([config, inv, api, web]), unpinned), 'E_IMAGE_UNPINNED');
  });

  it('accepts the CNAB spec config media type and refuses others', () => {
    const manifest = (mediaType: string): ImageManifest => ({ kind: 'image', mediaType: M, config: { mediaType, digest: D('c'), size: 2 }, layers: [], annotations: {} });
    assert.equal(bundleConfigDescriptor(manifest('application/vnd.cnab.bundle.config.v1+json'), 'c').digest, D('c'));
    assert.equal(bundleConfigDescriptor(manifest('application/vnd.cnab.config.v1+json'), 'c').digest, D('c'));
    throwsCode(() => bundleConfigDescriptor(manifest('application/vnd.docker.container.image.v1+json'), 'c'), 'E_OCI_MEDIA_TYPE');
  });
});
