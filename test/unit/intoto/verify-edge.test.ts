/** Edge cases of the verification algorithm where in-toto 1.3.1 crashes: ours gives a verdict. */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { generateKey } from '../../../src/core/crypto/keygen.js';
import { SslibSigner } from '../../../src/core/crypto/sslib-signer.js';
import { metadataFileText, signMetadata } from '../../../src/core/intoto/envelope.js';
import type { LayoutModel, LinkModel } from '../../../src/core/intoto/metadata.js';
import { linkFileName } from '../../../src/core/intoto/paths.js';
import { loadMetablock, verifySupplyChain } from '../../../src/core/intoto/verify.js';
import { CnabTrustError } from '../../../src/core/errors.js';

const owner = generateKey('ed25519');
const functionary = generateKey('ed25519');
const signer = (k: typeof owner) => new SslibSigner(k.publicKey, k.privateKey);

async function layoutBytes(threshold: number): Promise<Buffer> {
  const model: LayoutModel = {
    _type: 'layout',
    expires: '2099-12-31T23:59:59Z',
    inspect: [],
    keys: { [functionary.publicKey.keyid]: { ...functionary.publicKey } },
    readme: '',
    steps: [{ _type: 'step', expected_command: [], expected_materials: [], expected_products: [['ALLOW', '*']], name: 'build', pubkeys: [functionary.publicKey.keyid], threshold }],
  };
  return Buffer.from(metadataFileText(await signMetadata(model, [signer(owner)])));
}

async function linkBytes(by: typeof owner): Promise<Buffer> {
  const model: LinkModel = { _type: 'link', byproducts: {}, command: [], environment: {}, materials: {}, name: 'build', products: { a: { sha256: 'aa' } } };
  return Buffer.from(metadataFileText(await signMetadata(model, [signer(by)])));
}

async function verify(threshold: number, files: Record<string, Buffer>): Promise<unknown> {
  return verifySupplyChain({
    layout: loadMetablock(await layoutBytes(threshold), 'root.layout'),
    layoutKeys: [owner.publicKey],
    links: { read: async (_dir, name) => files[name] },
    now: new Date('2030-01-01T00:00:00Z'),
  });
}

describe('core/intoto verify: a step with threshold 0', () => {
  const name = linkFileName('build', functionary.publicKey.keyid);

  it('verifies with its link (as 1.3.1 does)', async () => {
    await verify(0, { [name]: await linkBytes(functionary) });
  });

  it('without any valid link is E_INTOTO_THRESHOLD naming the step, not a crash (1.3.1: IndexError)', async () => {
    for (const files of [{}, { [name]: await linkBytes(owner) }]) {
      await assert.rejects(verify(0, files), (e: unknown) => e instanceof CnabTrustError && e.code === 'E_INTOTO_THRESHOLD' && e.subject === 'build');
    }
    await assert.rejects(verify(-1, {}), (e: unknown) => e instanceof CnabTrustError && e.code === 'E_INTOTO_THRESHOLD');
  });
});
