/**
 * The other direction of interop: layouts and links signed by our code, with ed25519, ecdsa and rsa keys (as
 * the layout owner and as functionaries), pass python `in-toto-verify` 1.3.1 — and a tampered link fails there
 * and here alike.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { generateKey, type GeneratedKey, type KeyKind } from '../../../src/core/crypto/keygen.js';
import { SslibSigner } from '../../../src/core/crypto/sslib-signer.js';
import { signMetadata, metadataFileText } from '../../../src/core/intoto/envelope.js';
import type { LayoutModel, LinkModel } from '../../../src/core/intoto/metadata.js';
import { linkFileName } from '../../../src/core/intoto/paths.js';
import { intotoVerify } from '../../../src/workflows/intoto/verify.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const KINDS: KeyKind[] = ['ed25519', 'ecdsa', 'rsa'];

function layoutKeyObject(g: GeneratedKey): Record<string, unknown> {
  const k = g.publicKey;
  return { keyid: k.keyid, keyid_hash_algorithms: k.keyid_hash_algorithms, keytype: k.keytype, keyval: { public: k.keyval.public }, scheme: k.scheme };
}

function pythonVerify(dir: string, ownerKind: KeyKind): { status: number | null; stderr: string } {
  const r = spawnSync('in-toto-verify', ['-l', 'root.layout', '-k', 'owner.pub', '-t', ownerKind], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('in-toto interop: metadata we sign passes python in-toto-verify 1.3.1', function () {
  this.timeout(120_000);
  for (const ownerKind of KINDS) {
    it(`layout owned by a ${ownerKind} key, steps signed by ed25519, ecdsa and rsa functionaries`, async () => {
      const tmp = makeTempDir('cnab-trust-intoto-py-');
      try {
        const dir = tmp.dir;
        const owner = generateKey(ownerKind, 2048);
        writeFileSync(path.join(dir, 'owner.pub'), owner.publicFile);
        const functionaries = KINDS.map((k) => ({ kind: k, key: generateKey(k, 2048) }));
        const steps = functionaries.map(({ kind, key }, i) => ({
          _type: 'step' as const,
          expected_command: ['make', kind],
          expected_materials: i === 0 ? [['DISALLOW', '*']] : [['MATCH', `out-${functionaries[i - 1]!.kind}.txt`, 'WITH', 'PRODUCTS', 'FROM', `build-${functionaries[i - 1]!.kind}`], ['DISALLOW', '*']],
          expected_products: [['CREATE', `out-${kind}.txt`], ['DISALLOW', '*']],
          name: `build-${kind}`,
          pubkeys: [key.publicKey.keyid],
          threshold: 1,
        }));
        const layout: LayoutModel = {
          _type: 'layout',
          expires: '2099-01-01T00:00:00Z',
          inspect: [],
          keys: Object.fromEntries(functionaries.map(({ key }) => [key.publicKey.keyid, layoutKeyObject(key)])),
          readme: 'made by cnab-trust',
          steps,
        };
        const env = await signMetadata(layout, [new SslibSigner(owner.publicKey, owner.privateKey)]);
        writeFileSync(path.join(dir, 'root.layout'), metadataFileText(env));
        const sha = (s: string) => ({ sha256: createHash('sha256').update(s).digest('hex') });
        for (const [i, { kind, key }] of functionaries.entries()) {
          const link: LinkModel = {
            _type: 'link',
            byproducts: { 'return-value': 0, stderr: '', stdout: `built ${kind}\n` },
            command: ['make', kind],
            environment: {},
            materials: i === 0 ? {} : { [`out-${functionaries[i - 1]!.kind}.txt`]: sha(functionaries[i - 1]!.kind) },
            name: `build-${kind}`,
            products: { [`out-${kind}.txt`]: sha(kind) },
          };
          const signed = await signMetadata(link, [new SslibSigner(key.publicKey, key.privateKey)]);
          writeFileSync(path.join(dir, linkFileName(link.name as string, key.publicKey.keyid)), metadataFileText(signed));
        }
        const py = pythonVerify(dir, ownerKind);
        assert.equal(py.status, 0, py.stderr);
        const ours = await intotoVerify({ layout: path.join(dir, 'root.layout'), layoutKeys: [path.join(dir, 'owner.pub')], links: dir, workDir: dir });
        assert.equal(ours.verified, true, JSON.stringify(ours.error));

        // Tamper with the ecdsa functionary's link: both verifiers refuse it (the step loses its only link).
        const ec = functionaries[1]!;
        const file = path.join(dir, linkFileName(`build-${ec.kind}`, ec.key.publicKey.keyid));
        writeFileSync(file, readFileSync(file, 'utf8').replace('built ecdsa', 'built evil'));
        const py2 = pythonVerify(dir, ownerKind);
        assert.equal(py2.status, 1);
        assert.match(py2.stderr, /ThresholdVerificationError/);
        const ours2 = await intotoVerify({ layout: path.join(dir, 'root.layout'), layoutKeys: [path.join(dir, 'owner.pub')], links: dir, workDir: dir });
        assert.equal(ours2.error?.code, 'E_INTOTO_THRESHOLD');
      } finally {
        tmp.remove();
      }
    });
  }
});
