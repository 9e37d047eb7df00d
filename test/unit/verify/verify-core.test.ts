/** The pure decisions of `cnab-trust verify` (core/verify): signed artifact, in-toto listings, final product, report. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { checkSignedArtifact } from '../../../src/core/verify/signed-artifact.js';
import {
  assertFinalProduct,
  assertLayoutKeyRole,
  assertLayoutRole,
  bundleIntotoListing,
  layoutKeyTargets,
  linkPathSegments,
  MemoryMetadataSource,
} from '../../../src/core/verify/intoto-targets.js';
import { VerifyReportBuilder, formatVerifyReport } from '../../../src/core/verify/report.js';
import { CnabTrustError } from '../../../src/core/errors.js';
import { throwsCode } from '../../helpers/assert.js';

const bytes = Buffer.from('{"name":"x"}');
const sha256 = createHash('sha256').update(bytes).digest('hex');
const sha512 = createHash('sha512').update(bytes).digest('hex');
const target = (over: Partial<{ length: number; hashes: Record<string, string> }> = {}) => ({
  name: 'example.com/org/app:1.0',
  length: bytes.length,
  hashes: { sha256 },
  ...over,
});

describe('core/verify: the signed artifact (CNAB-Sec 303 step 2)', () => {
  it('accepts the exact bytes and checks every supported hash', () => {
    const ok = checkSignedArtifact(bytes, target({ hashes: { sha256, sha512 } }), 'bundle.json');
    assert.deepEqual(ok, { digest: `sha256:${sha256}`, length: bytes.length, algorithms: ['sha256', 'sha512'] });
  });

  it('refuses another length (E_LENGTH_MISMATCH) before hashing, and other bytes (E_DIGEST_MISMATCH)', () => {
    throwsCode(() => checkSignedArtifact(Buffer.concat([bytes, Buffer.from(' ')]), target(), 'bundle.json'), 'E_LENGTH_MISMATCH');
    const other = Buffer.from(bytes);
    other[2] = 'N'.charCodeAt(0);
    const e = throwsCode(() => checkSignedArtifact(other, target(), 'bundle.json'), 'E_DIGEST_MISMATCH');
    assert.equal(e.subject, 'example.com/org/app:1.0');
    throwsCode(() => checkSignedArtifact(bytes, target({ hashes: { sha256, sha512: '00' } }), 'bundle.json'), 'E_DIGEST_MISMATCH');
  });

  it('refuses a target with no hash it can check (E_TUF_INVALID)', () => {
    throwsCode(() => checkSignedArtifact(bytes, target({ hashes: { md5: 'x' } }), 'bundle.json'), 'E_TUF_INVALID');
  });
});

describe('core/verify: in-toto metadata as TUF targets (CNAB-Sec 301)', () => {
  const gun = 'example.com/org/app';
  const layout = `${gun}/in-toto-metadata/root.layout`;
  const link = (n: string) => `${gun}/in-toto-metadata/${sha256}/${n}`;

  it('reads the bundle listing: one layout, links; none is no in-toto stage', () => {
    assert.deepEqual(bundleIntotoListing({ name: 't', custom: { 'in-toto': [layout, link('a.12345678.link')] } }), {
      layout,
      links: [link('a.12345678.link')],
    });
    assert.equal(bundleIntotoListing({ name: 't', custom: {} }), undefined);
    assert.equal(bundleIntotoListing({ name: 't', custom: { 'in-toto': [] } }), undefined);
  });

  it('refuses a listing that is not a list of names, or without exactly one layout (E_INTOTO_INVALID)', () => {
    throwsCode(() => bundleIntotoListing({ name: 't', custom: { 'in-toto': 'x' } }), 'E_INTOTO_INVALID');
    throwsCode(() => bundleIntotoListing({ name: 't', custom: { 'in-toto': [layout, layout] } }), 'E_INTOTO_INVALID');
    throwsCode(() => bundleIntotoListing({ name: 't', custom: { 'in-toto': [layout, `${gun}/x.pub`] } }), 'E_INTOTO_INVALID');
    throwsCode(() => layoutKeyTargets({ name: layout, custom: {} }), 'E_INTOTO_INVALID');
  });

  it('trusts layouts and layout keys only from the top-level targets role', () => {
    assertLayoutRole(layout, 'targets');
    assertLayoutKeyRole(`${gun}/in-toto-pubkeys/k.pub`, 'targets');
    throwsCode(() => assertLayoutRole(layout, 'targets/releases'), 'E_INTOTO_LAYOUT_UNTRUSTED');
    const e = throwsCode(() => assertLayoutKeyRole(`${gun}/in-toto-pubkeys/k.pub`, 'targets/releases'), 'E_INTOTO_LAYOUT_KEY_UNTRUSTED');
    assert.equal(e.subject, `${gun}/in-toto-pubkeys/k.pub`);
  });

  it('places links below the bundle digest folder (sublayouts one deeper), others by base name', async () => {
    assert.deepEqual(linkPathSegments(link('a.12345678.link'), sha256), ['a.12345678.link']);
    assert.deepEqual(linkPathSegments(link('sub.12345678/b.87654321.link'), sha256), ['sub.12345678', 'b.87654321.link']);
    assert.deepEqual(linkPathSegments(`${gun}/elsewhere/c.11111111.link`, sha256), ['c.11111111.link']);
    const source = new MemoryMetadataSource();
    source.add(['sub.12345678', 'b.87654321.link'], bytes);
    assert.deepEqual(await source.read(['sub.12345678'], 'b.87654321.link'), bytes);
    assert.equal(await source.read([], 'b.87654321.link'), undefined);
  });

  it('requires the bundle among the final products (E_INTOTO_FINAL_PRODUCT)', () => {
    assert.equal(assertFinalProduct({ products: { 'out/bundle.json': { sha256 } } }, sha256, layout), 'out/bundle.json');
    throwsCode(() => assertFinalProduct({ products: { 'bundle.json': { sha256: '0'.repeat(64) } } }, sha256, layout), 'E_INTOTO_FINAL_PRODUCT');
  });
});

describe('core/verify: the report', () => {
  it('records stages in order and closes on the first failure with its error', () => {
    const b = new VerifyReportBuilder('bundle.json');
    b.setTarget({ name: 't:1', length: 1, hashes: {}, signedBy: 'targets/releases' });
    b.pass('tuf', 'found', { checks: ['c1'] });
    const report = b.fail('bundle', new CnabTrustError('E_DIGEST_MISMATCH', 'other bytes', { subject: 't:1', hint: 'do not install' }));
    assert.equal(report.verified, false);
    assert.deepEqual(report.steps.map((s) => [s.name, s.ok]), [['tuf', true], ['bundle', false]]);
    assert.deepEqual(report.error, { code: 'E_DIGEST_MISMATCH', message: 'other bytes', subject: 't:1', hint: 'do not install' });
    const text = formatVerifyReport(report);
    assert.match(text, /ok {3}tuf {8}found\n {9}- c1/);
    assert.match(text, /FAIL bundle {5}\[E_DIGEST_MISMATCH\]/);
    assert.match(text, /reason: {2}\[E_DIGEST_MISMATCH\] other bytes\n {2}subject: t:1\n {2}hint: {4}do not install/);
    assert.match(text, /NOT VERIFIED: do not install bundle.json$/);
  });

  it('says VERIFIED with the target and digest when every stage passed', () => {
    const b = new VerifyReportBuilder('ref');
    b.setTarget({ name: 't:1', length: 1, hashes: {} });
    b.setDigest('sha256:ab');
    b.pass('tuf', 'ok');
    b.skip('relocation', 'no mapping');
    const report = b.succeed();
    assert.equal(report.verified, true);
    assert.match(formatVerifyReport(report), /skip relocation no mapping\nVERIFIED: t:1 \(sha256:ab\)$/);
  });
});
