import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { errorOf } from '../../helpers/errors.js';
import { formatImageLocation } from '../../../src/core/reference/location.js';
import { cnabSpecDir } from '../../helpers/paths.js';
import {
  assertRelocatedImages,
  checkRelocationMapping,
  judgeResolvedImage,
  offlineResults,
  parseRelocationMapping,
  relocationMappingToJson,
  type RelocatableImage,
} from '../../../src/core/relocation/index.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);


const images: RelocatableImage[] = [
  { kind: 'invocation', reference: 'example/helloworld:0.1.0', index: 0, contentDigest: `sha256:${A}` },
  { kind: 'component', reference: 'example/microservice:1.2.3', component: 'my-microservice', contentDigest: `sha256:${B}` },
];

function mapping(obj: Record<string, string>) {
  return parseRelocationMapping(obj);
}

describe('core/relocation: mapping model (CNAB 103)', () => {
  it('parses the CNAB 103 example', () => {
    const json = JSON.parse(readFileSync(path.join(cnabSpecDir, 'examples/103.01-relocation-mapping.json'), 'utf8')) as unknown;
    const m = parseRelocationMapping(json, { source: '103.01-relocation-mapping.json' });
    assert.equal(m.size, 2);
    assert.equal(m.get('outside/helloworld:0.1.0'), 'my.registry/helloworld:0.1.0');
    assert.deepEqual(JSON.parse(JSON.stringify(relocationMappingToJson(m))), json);
  });

  for (const [what, value] of [
    ['an array', ['a']],
    ['null', null],
    ['a string', 'x'],
    ['a number', 3],
  ] as Array<[string, unknown]>) {
    it(`refuses ${what} with E_RELOCATION_INVALID`, () => {
      const e = errorOf(() => parseRelocationMapping(value, { source: 'm.json' }));
      assert.equal(e.code, 'E_RELOCATION_INVALID');
      assert.ok(e.message.includes(`got ${what}`), e.message);
    });
  }

  it('refuses a non-string value naming the key', () => {
    const e = errorOf(() => parseRelocationMapping({ 'a:1': 'b:1', 'x:1': { nested: true } }));
    assert.equal(e.code, 'E_RELOCATION_INVALID');
    assert.equal(e.subject, 'x:1');
    assert.ok(e.message.includes('"x:1"'));
  });
});

describe('core/relocation: offline check against a bundle', () => {
  it('passes with pinned values and reports tag-only values to resolve live', () => {
    const plan = checkRelocationMapping(
      images,
      mapping({
        'example/helloworld:0.1.0': `mirror.local:5000/hello@sha256:${A}`,
        'example/microservice:1.2.3': 'mirror.local:5000/micro:1.2.3',
        'unrelated:1': 'mirror.local/unrelated:1',
      }),
    );
    assert.equal(plan.entries.length, 2);
    assert.equal(plan.entries[0]!.status, 'pinned');
    assert.equal(plan.entries[0]!.label, 'invocation image 0');
    assert.equal(plan.entries[1]!.status, 'resolve');
    assert.equal(plan.entries[1]!.label, 'component "my-microservice"');
    assert.equal(formatImageLocation(plan.entries[1]!.relocatedLocation), 'mirror.local:5000/micro:1.2.3');
    assert.deepEqual(plan.toResolve.map((e) => e.original), ['example/microservice:1.2.3']);
    assert.deepEqual(plan.unusedKeys, ['unrelated:1']);
    assert.deepEqual(offlineResults(plan).map((r) => r.ok), [true, false]);
  });

  it('E_RELOCATION_MISSING names every missing image', () => {
    const e = errorOf(() => checkRelocationMapping(images, mapping({ 'other:1': 'x:1' })));
    assert.equal(e.code, 'E_RELOCATION_MISSING');
    assert.ok(e.message.includes('example/helloworld:0.1.0') && e.message.includes('example/microservice:1.2.3'), e.message);
    assert.equal((e.details?.['missing'] as unknown[]).length, 2);
  });

  it('looks keys up exactly: an equivalent key does not stand in, and the hint names it', () => {
    const imgs: RelocatableImage[] = [{ kind: 'invocation', reference: 'ubuntu', index: 0, contentDigest: `sha256:${A}` }];
    const e = errorOf(() => checkRelocationMapping(imgs, mapping({ 'docker.io/library/ubuntu:latest': 'mirror/ubuntu:latest' })));
    assert.equal(e.code, 'E_RELOCATION_MISSING');
    assert.ok(e.hint?.includes('"docker.io/library/ubuntu:latest" for "ubuntu"'), e.hint);
    // Equivalent keys mapping to equivalent values are fine.
    const plan = checkRelocationMapping(
      imgs,
      mapping({ ubuntu: 'mirror.local/ubuntu', 'library/ubuntu': 'mirror.local/ubuntu:latest', 'docker.io/library/ubuntu:latest': 'mirror.local/ubuntu' }),
    );
    assert.equal(plan.entries.length, 1);
  });

  it('E_RELOCATION_INVALID when equivalent keys map to different images', () => {
    const imgs: RelocatableImage[] = [{ kind: 'invocation', reference: 'ubuntu', index: 0, contentDigest: `sha256:${A}` }];
    const e = errorOf(() => checkRelocationMapping(imgs, mapping({ ubuntu: 'mirror.local/ubuntu', 'library/ubuntu': 'mirror.local/other' })));
    assert.equal(e.code, 'E_RELOCATION_INVALID');
    assert.ok(e.message.includes('"ubuntu"') && e.message.includes('"library/ubuntu"'), e.message);
  });

  it('E_REFERENCE_INVALID for a value or key with illegal characters, naming the key', () => {
    const e = errorOf(() =>
      checkRelocationMapping(images, mapping({ 'example/helloworld:0.1.0': 'mirror.local/hello world:1', 'example/microservice:1.2.3': 'm/x:1' })),
    );
    assert.equal(e.code, 'E_REFERENCE_INVALID');
    assert.ok(e.message.includes('illegal character " " at position 19'), e.message);
    assert.ok(e.subject?.includes('example/helloworld:0.1.0'));
    const k = errorOf(() => checkRelocationMapping(images, mapping({ 'Bad$Key': 'm/x:1' })));
    assert.equal(k.code, 'E_REFERENCE_INVALID');
    assert.ok(k.subject?.includes('relocation mapping key'));
  });

  it('E_DIGEST_INVALID for a relocated value with a short digest', () => {
    const e = errorOf(() =>
      checkRelocationMapping(images, mapping({ 'example/helloworld:0.1.0': 'm/x@sha256:abc', 'example/microservice:1.2.3': 'm/y:1' })),
    );
    assert.equal(e.code, 'E_DIGEST_INVALID');
  });

  it('E_IMAGE_UNPINNED for images without contentDigest, listing all', () => {
    const imgs: RelocatableImage[] = [
      { kind: 'invocation', reference: 'a:1', index: 0 },
      { kind: 'component', reference: 'b:1', component: 'b', contentDigest: `sha256:${A}` },
      { kind: 'component', reference: 'c:1', component: 'c', contentDigest: '' },
    ];
    const e = errorOf(() => checkRelocationMapping(imgs, mapping({ 'a:1': 'm/a:1', 'b:1': 'm/b:1', 'c:1': 'm/c:1' })));
    assert.equal(e.code, 'E_IMAGE_UNPINNED');
    assert.ok(e.message.includes('"a:1"') && e.message.includes('"c:1"') && !e.message.includes('"b:1"'), e.message);
  });

  it('E_DIGEST_INVALID for a bundle contentDigest that is not a digest (the CNAB 101 example)', () => {
    const imgs: RelocatableImage[] = [{ kind: 'component', reference: 'example/microservice:1.2.3', component: 'my-microservice', contentDigest: 'sha256:aaaaaaaaaaaa...' }];
    const e = errorOf(() => checkRelocationMapping(imgs, mapping({ 'example/microservice:1.2.3': 'm/x:1' })));
    assert.equal(e.code, 'E_DIGEST_INVALID');
    assert.ok(e.subject?.includes('component "my-microservice"'), e.subject);
  });

  it('E_RELOCATED_DIGEST_MISMATCH names the image, both references and both digests', () => {
    const e = errorOf(() =>
      checkRelocationMapping(
        images,
        mapping({ 'example/helloworld:0.1.0': `m/hello@sha256:${C}`, 'example/microservice:1.2.3': `m/micro:1@sha256:${C}` }),
      ),
    );
    assert.equal(e.code, 'E_RELOCATED_DIGEST_MISMATCH');
    for (const s of ['invocation image 0', 'example/helloworld:0.1.0', `m/hello@sha256:${C}`, `sha256:${A}`, `sha256:${C}`, '1 more']) {
      assert.ok(e.message.includes(s), `${e.message} lacks ${s}`);
    }
    assert.equal((e.details?.['mismatches'] as unknown[]).length, 2);
  });
});

describe('core/relocation: live-check result model', () => {
  const plan = checkRelocationMapping(
    images,
    mapping({ 'example/helloworld:0.1.0': `m/hello@sha256:${A}`, 'example/microservice:1.2.3': 'm/micro:1.2.3' }),
  );

  it('accepts resolved digests equal to contentDigest', () => {
    const results = plan.entries.map((e) => judgeResolvedImage(e, e.expectedDigest));
    assert.ok(results.every((r) => r.ok));
    assert.doesNotThrow(() => assertRelocatedImages(results));
    assert.equal(results[1]!.resolvedDigest, `sha256:${B}`);
  });

  it('refuses a tag that resolves to other content with E_RELOCATED_DIGEST_MISMATCH', () => {
    const results = [judgeResolvedImage(plan.entries[0]!, `sha256:${A}`), judgeResolvedImage(plan.entries[1]!, `sha256:${C}`)];
    assert.equal(results[1]!.code, 'E_RELOCATED_DIGEST_MISMATCH');
    const e = errorOf(() => assertRelocatedImages(results));
    assert.equal(e.code, 'E_RELOCATED_DIGEST_MISMATCH');
    assert.ok(e.message.includes('resolves to') && e.message.includes(`sha256:${C}`) && e.message.includes(`sha256:${B}`), e.message);
  });

  it('refuses an image absent from its registry with E_RELOCATED_IMAGE_MISSING', () => {
    const results = [judgeResolvedImage(plan.entries[0]!, null), judgeResolvedImage(plan.entries[1]!, `sha256:${B}`)];
    const e = errorOf(() => assertRelocatedImages(results));
    assert.equal(e.code, 'E_RELOCATED_IMAGE_MISSING');
    assert.ok(e.message.includes(`m/hello@sha256:${A}`));
  });

  it('refuses to give a verdict on unresolved results', () => {
    assert.equal(errorOf(() => assertRelocatedImages(offlineResults(plan))).code, 'E_INTERNAL');
  });
});
