import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Buffer } from 'node:buffer';
import { olpcCanonicalString } from '../../../src/core/canonical/olpc.js';
import { keyidOfKeyJson, parseSslibKeyObject, sslibKeyid } from '../../../src/core/crypto/keys.js';
import { canonicalPublicKeyFile, parsePrivateKeyFile, parsePublicKeyFile, privateKeyMaterialIn } from '../../../src/core/crypto/key-files.js';
import { verifySslibSignature } from '../../../src/core/crypto/verify-signature.js';
import { SslibSigner } from '../../../src/core/crypto/sslib-signer.js';
import { generateKey, type KeyKind } from '../../../src/core/crypto/keygen.js';
import { CnabTrustError } from '../../../src/core/errors.js';
import { errorOf } from '../../helpers/errors.js';
import { intotoFixtures } from '../../helpers/fixtures.js';

interface KeyVector {
  pub_file: string;
  keytype: string;
  scheme: string;
  public: string;
  keyid: string;
  keyid_canonical_input: string;
  keyid_newer_securesystemslib_default: string;
  layout_key_object: unknown;
}

const keysDir = path.join(intotoFixtures, 'keys');
const keyVectors = JSON.parse(readFileSync(path.join(intotoFixtures, 'vectors/keys.json'), 'utf8')) as Record<string, KeyVector>;

const codeOf = (f: () => unknown): string => errorOf(f).code;

describe('core/crypto: securesystemslib keys (reference vectors)', () => {
  for (const [name, v] of Object.entries(keyVectors)) {
    it(`${name} (${v.keytype}): public file, private file and layout key object give the reference keyid`, () => {
      const pub = parsePublicKeyFile(readFileSync(path.join(keysDir, v.pub_file)), v.pub_file);
      assert.equal(pub.keytype, v.keytype);
      assert.equal(pub.scheme, v.scheme);
      assert.equal(pub.keyval.public, v.public, 'keyval.public (PEM trailing newline trap)');
      assert.equal(
        olpcCanonicalString({ keytype: pub.keytype, scheme: pub.scheme, keyid_hash_algorithms: pub.keyid_hash_algorithms, keyval: { public: pub.keyval.public } }),
        v.keyid_canonical_input,
      );
      assert.equal(pub.keyid, v.keyid);
      assert.equal(keyidOfKeyJson({ keytype: pub.keytype, scheme: pub.scheme, keyval: pub.keyval }), v.keyid_newer_securesystemslib_default);
      const priv = parsePrivateKeyFile(readFileSync(path.join(keysDir, name)), name);
      assert.equal(priv.publicKey.keyid, v.keyid);
      assert.equal(parseSslibKeyObject(v.layout_key_object, `${name} layout key`).keyid, v.keyid);
    });
  }

  it('verifies the reference signatures and refuses altered ones', () => {
    const sigs = (JSON.parse(readFileSync(path.join(intotoFixtures, 'vectors/signatures.json'), 'utf8')) as {
      signatures: { key: string; keyid: string; message_utf8: string; sig_hex: string }[];
    }).signatures;
    assert.equal(sigs.length, 6);
    for (const s of sigs) {
      const pub = parsePublicKeyFile(readFileSync(path.join(keysDir, `${s.key}.pub`)), s.key);
      assert.equal(pub.keyid, s.keyid);
      const msg = Buffer.from(s.message_utf8, 'utf8');
      assert.ok(verifySslibSignature(pub, s.sig_hex, msg), `${s.key} signature`);
      assert.ok(!verifySslibSignature(pub, s.sig_hex, Buffer.from(s.message_utf8 + ' ', 'utf8')), `${s.key} other message`);
      assert.ok(!verifySslibSignature(pub, s.sig_hex.slice(0, -2) + (s.sig_hex.endsWith('00') ? '01' : '00'), msg));
      assert.ok(!verifySslibSignature(pub, 'zz' + s.sig_hex.slice(2), msg), 'non-hex signature is invalid, not a crash');
      assert.ok(!verifySslibSignature(pub, '', msg));
    }
  });

  it('signs with every fixture key and the signature verifies', async () => {
    for (const name of Object.keys(keyVectors)) {
      const signer = SslibSigner.fromKeyFile(readFileSync(path.join(keysDir, name)), name);
      assert.equal(signer.keyid, keyVectors[name]!.keyid);
      const data = Buffer.from('{"_type":"link"}');
      const sig = Buffer.from(await signer.sign(data)).toString('hex');
      assert.ok(verifySslibSignature(signer.publicKey, sig, data), name);
    }
  });

  for (const kind of ['ed25519', 'ecdsa', 'rsa'] as KeyKind[]) {
    it(`generates ${kind} keys whose files load back with the same keyid`, async () => {
      const g = generateKey(kind, 2048);
      const pub = parsePublicKeyFile(g.publicFile, 'gen.pub');
      assert.equal(pub.keyid, g.publicKey.keyid);
      assert.equal(pub.keyid, sslibKeyid(pub));
      const signer = SslibSigner.fromKeyFile(g.privateFile, 'gen');
      assert.equal(signer.keyid, g.publicKey.keyid);
      const sig = Buffer.from(await signer.sign(Buffer.from('x'))).toString('hex');
      assert.ok(verifySslibSignature(pub, sig, Buffer.from('x')));
    });
  }

  it('refuses bad key input with a code', () => {
    assert.equal(codeOf(() => parsePublicKeyFile('not a key', 'k')), 'E_KEY_INVALID');
    assert.equal(codeOf(() => parsePublicKeyFile('[]', 'k')), 'E_KEY_INVALID');
    assert.equal(codeOf(() => parsePublicKeyFile('{"keytype":"dsa","scheme":"dsa","keyval":{"public":"00"}}', 'k')), 'E_KEY_UNSUPPORTED');
    assert.equal(codeOf(() => parsePublicKeyFile('{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"zz"}}', 'k')), 'E_KEY_INVALID');
    assert.equal(codeOf(() => parsePublicKeyFile('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', 'k')), 'E_KEY_INVALID');
    const bob = JSON.parse(readFileSync(path.join(keysDir, 'bob.pub'), 'utf8')) as Record<string, unknown>;
    assert.equal(codeOf(() => parseSslibKeyObject({ ...bob, keyid: '00'.repeat(32) }, 'bob')), 'E_KEYID_MISMATCH');
    assert.equal(codeOf(() => parsePrivateKeyFile(readFileSync(path.join(keysDir, 'bob.pub')), 'bob.pub')), 'E_KEY_INVALID');
  });

  it('finds private key material in bytes (PEM private blocks, nested keyval.private) and refuses it as a public key', () => {
    const g = generateKey('ecdsa');
    assert.equal(privateKeyMaterialIn(g.publicFile), undefined);
    assert.match(privateKeyMaterialIn(g.privateFile)!, /PEM private/);
    assert.match(privateKeyMaterialIn(JSON.stringify({ signed: { keys: { a: JSON.parse(generateKey('ed25519').privateFile) } } }))!, /keyval\.private/);
    assert.equal(privateKeyMaterialIn('{"keyval":{"public":"00","private":""}}'), undefined);
    assert.match(privateKeyMaterialIn(Buffer.from('x-----BEGIN OPENSSH PRIVATE KEY-----\n'))!, /PEM/);
    assert.equal(codeOf(() => parsePublicKeyFile(g.privateFile, 'k', '--layout-keys')), 'E_KEY_PRIVATE');
    assert.equal(codeOf(() => parsePublicKeyFile(generateKey('rsa', 1024).privateFile, 'k')), 'E_KEY_PRIVATE');
    // the canonical public key file reads back as the same key
    for (const kind of ['ed25519', 'ecdsa', 'rsa'] as const) {
      const k = generateKey(kind, 1024);
      assert.equal(parsePublicKeyFile(canonicalPublicKeyFile(k.publicKey), 'c').keyid, k.publicKey.keyid);
    }
  });
});
