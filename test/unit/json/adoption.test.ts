/** Untrusted JSON other areas read goes through the strict parser too: duplicate keys are refused there. */
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/core/oci/manifest.js';
import { parseTimestamp } from '../../../src/core/tuf/metadata-files.js';
import { throwsCode } from '../../helpers/assert.js';

describe('strict JSON in OCI manifests and TUF metadata', () => {
  it('an OCI index with a duplicate key is refused (E_JSON_DUPLICATE_KEY), malformed stays E_OCI_INDEX_INVALID', () => {
    const dup = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"manifests":[]}';
    const e = throwsCode(() => parseManifest(Buffer.from(dup), 'reg.example/app:1'), 'E_JSON_DUPLICATE_KEY');
    assert.equal(e.details?.['path'], '$.manifests');
    throwsCode(() => parseManifest(Buffer.from('{"schemaVersion":2,'), 'reg.example/app:1'), 'E_OCI_INDEX_INVALID');
  });

  it('TUF metadata with a duplicate key is refused (E_JSON_DUPLICATE_KEY), malformed stays E_JSON_PARSE', () => {
    const dup = '{"signed":{"_type":"timestamp","version":1,"version":2},"signatures":[]}';
    throwsCode(() => parseTimestamp(Buffer.from(dup)), 'E_JSON_DUPLICATE_KEY');
    throwsCode(() => parseTimestamp(Buffer.from('{"signed":')), 'E_JSON_PARSE');
  });
});
