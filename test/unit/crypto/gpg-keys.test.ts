/**
 * GPG keys and signatures in in-toto metadata (securesystemslib's forms), with keys made by openpgp.js:
 * the key dict of an OpenPGP export, its fingerprint check, signature verification with primary keys and
 * subkeys, expiry, and the bad input of issue 12 item 4 (OpenPGP data that does not parse, a keyid that is not
 * the key's fingerprint, an expired key). RSA and EdDSA here; DSA (which openpgp.js cannot make) and the python
 * reference in test/integration/intoto/gpg-interop.test.ts.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import * as openpgp from 'openpgp';
import { gpgFingerprint, parseGpgKeyObject, type GpgPublicKey } from '../../../src/core/crypto/gpg-keys.js';
import { verifyGpgSignature, type GpgSignature } from '../../../src/core/crypto/gpg-verify.js';
import { gpgKeyFromOpenPgp } from '../../../src/core/crypto/openpgp-key.js';
import { gpgSignatureFromOpenPgp } from '../../../src/core/crypto/openpgp-signature.js';
import { parseVerificationKeyFile } from '../../../src/core/crypto/verification-key-file.js';
import { generateKey } from '../../../src/core/crypto/keygen.js';
import { SslibSigner } from '../../../src/core/crypto/sslib-signer.js';
import { CnabTrustError } from '../../../src/core/errors.js';
import { metadataFileText, signMetadata } from '../../../src/core/intoto/envelope.js';
import { parseMetablock, signableBytes, type LayoutModel, type LinkModel } from '../../../src/core/intoto/metadata.js';
import { linkFileName } from '../../../src/core/intoto/paths.js';
import { loadMetablock, verifySupplyChain } from '../../../src/core/intoto/verify.js';

const SHA256 = { preferredHashAlgorithm: openpgp.enums.hash.sha256 };
const NOW = new Date();

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof CnabTrustError) return e.code;
    throw e;
  }
  return 'none';
}

interface Made {
  privateKey: openpgp.PrivateKey;
  armored: string;
  key: GpgPublicKey;
}

async function make(type: 'rsa' | 'ecc', opts: { expiresIn?: number; date?: Date; subkey?: boolean } = {}): Promise<Made> {
  const algo = type === 'rsa' ? { type: 'rsa' as const, rsaBits: 2048 } : { type: 'ecc' as const, curve: 'ed25519Legacy' as const };
  const { privateKey, publicKey } = await openpgp.generateKey({
    ...algo,
    userIDs: [{ name: 'T', email: 't@example.test' }],
    format: 'object',
    keyExpirationTime: opts.expiresIn ?? 0,
    ...(opts.date === undefined ? {} : { date: opts.date }),
    subkeys: opts.subkey === true ? [{ sign: true, keyExpirationTime: 3600 }] : [],
    config: { v6Keys: false, ...SHA256 },
  });
  const armored = publicKey.armor();
  return { privateKey, armored, key: await gpgKeyFromOpenPgp(Buffer.from(armored), 'key.asc') };
}

/**
 * A detached v4 signature over SHA-256 by the primary key or a subkey, made at packet level (openpgp.sign picks
 * the hash from the key's preferences; gpg is told --digest-algo SHA256, as in-toto-run tells it).
 */
async function sign(m: Made, data: Uint8Array, signingKeyID?: openpgp.KeyID): Promise<GpgSignature> {
  const signer = signingKeyID === undefined || signingKeyID.equals(m.privateKey.getKeyID()) ? m.privateKey.keyPacket : m.privateKey.subkeys.find((s) => s.getKeyID().equals(signingKeyID))!.keyPacket;
  const literal = new openpgp.LiteralDataPacket();
  (literal as unknown as { setBytes(b: Uint8Array, f: openpgp.enums.literal): void }).setBytes(data, openpgp.enums.literal.binary);
  const packet = new openpgp.SignaturePacket();
  packet.signatureType = openpgp.enums.signature.binary;
  packet.hashAlgorithm = openpgp.enums.hash.sha256;
  packet.publicKeyAlgorithm = signer.algorithm;
  await (packet as unknown as { sign(k: unknown, d: unknown, date: Date, detached: boolean, config: unknown): Promise<void> }).sign(signer, literal, new Date(), true, openpgp.config);
  const list = new openpgp.PacketList<openpgp.SignaturePacket>();
  list.push(packet);
  return gpgSignatureFromOpenPgp(list.write(), 'sig');
}

describe('core/crypto GPG keys (securesystemslib forms) and signatures', function () {
  this.timeout(120_000);
  let rsa: Made;
  let ed: Made;
  let withSub: Made;

  before(async () => {
    rsa = await make('rsa');
    ed = await make('ecc', { expiresIn: 3600 });
    withSub = await make('ecc', { subkey: true });
  });

  it('reads an export into the dict securesystemslib writes; keyid = fingerprint (openpgp.js computes the same)', async () => {
    for (const m of [rsa, ed]) {
      const lib = await openpgp.readKey({ armoredKey: m.armored });
      assert.equal(m.key.keyid, lib.getFingerprint());
      assert.equal(gpgFingerprint(m.key.type, m.key.numbers, m.key.creationTime!), lib.getFingerprint());
      assert.deepEqual(Object.keys(m.key.json).sort(), ['creation_time', 'hashes', 'keyid', 'keyval', 'method', 'type', ...(m === ed ? ['validity_period'] : [])].sort());
    }
    assert.equal(rsa.key.json['method'], 'pgp+rsa-pkcsv1.5');
    assert.equal(ed.key.json['method'], 'pgp+eddsa-ed25519');
    assert.equal(ed.key.validityPeriod, 3600);
    assert.equal((ed.key.json['keyval'] as { public: { q: string } }).public.q.length, 64);
    // binary exports read alike
    const binary = (await openpgp.readKey({ armoredKey: rsa.armored })).write();
    assert.deepEqual((await parseVerificationKeyFile(binary, 'key.gpg')).keyid, rsa.key.keyid);
    // the dict as JSON is a key file too
    assert.equal((await parseVerificationKeyFile(Buffer.from(JSON.stringify(ed.key.json)), 'key.json')).keyid, ed.key.keyid);
  });

  it('verifies RSA and EdDSA signatures over the content; any change of content, headers or signature fails', async () => {
    const data = Buffer.from('{"_type":"link"}');
    for (const m of [rsa, ed]) {
      const sig = await sign(m, data);
      assert.equal(sig.keyid, m.key.keyid);
      assert.equal(verifyGpgSignature(m.key, sig, data, NOW), 'ok');
      assert.equal(verifyGpgSignature(m.key, sig, Buffer.from('{"_type":"lint"}'), NOW), 'invalid');
      const h = sig.other_headers;
      assert.equal(verifyGpgSignature(m.key, { ...sig, other_headers: h.slice(0, -2) + (h.endsWith('00') ? '01' : '00') }, data, NOW), 'invalid');
      const s = sig.signature;
      assert.equal(verifyGpgSignature(m.key, { ...sig, signature: (s[0] === 'f' ? '0' : 'f') + s.slice(1) }, data, NOW), 'invalid');
      assert.equal(verifyGpgSignature(m.key, { ...sig, signature: 'zz' }, data, NOW), 'invalid');
    }
    // one key's signature does not verify with the other
    assert.equal(verifyGpgSignature(ed.key, await sign(rsa, data), data, NOW), 'invalid');
  });

  it('verifies a signature by a subkey with the subkey, and checks the subkey\'s own expiry', async () => {
    const sub = withSub.privateKey.subkeys[0]!;
    const subFpr = sub.getFingerprint();
    assert.deepEqual([...withSub.key.subkeys.keys()], [subFpr]);
    assert.equal(withSub.key.subkeys.get(subFpr)!.validityPeriod, 3600);
    const data = Buffer.from('signed by the subkey');
    const sig = await sign(withSub, data, sub.getKeyID());
    assert.equal(sig.keyid, subFpr);
    assert.equal(verifyGpgSignature(withSub.key, sig, data, NOW), 'ok');
    const later = new Date(NOW.getTime() + 2 * 3600 * 1000);
    const v = verifyGpgSignature(withSub.key, sig, data, later);
    assert.ok(typeof v === 'object' && v.expired.keyid === subFpr);
    // the primary key does not expire: its own signatures still verify then
    const byPrimary = await sign(withSub, data, withSub.privateKey.getKeyID());
    assert.equal(verifyGpgSignature(withSub.key, byPrimary, data, later), 'ok');
  });

  it('an expired key (creation_time + validity_period < now) is reported before the signature is looked at', async () => {
    const data = Buffer.from('x');
    const sig = await sign(ed, data);
    const v = verifyGpgSignature(ed.key, sig, data, new Date((ed.key.creationTime! + 3601) * 1000));
    assert.ok(typeof v === 'object' && v.expired === ed.key);
    assert.equal(verifyGpgSignature(ed.key, sig, data, new Date((ed.key.creationTime! + 3600) * 1000)), 'ok', 'at the instant itself not yet expired');
    // validity_period 0 (or none) never expires, as in securesystemslib
    const never = parseGpgKeyObject({ ...ed.key.json, validity_period: 0 }, 'k');
    assert.equal(verifyGpgSignature(never, sig, data, new Date('2100-01-01T00:00:00Z')), 'ok');
  });

  describe('bad input (issue 12 item 4)', () => {
    it('OpenPGP data that does not parse: E_KEY_INVALID', async () => {
      const lines = rsa.armored.split('\n');
      const body = lines.findIndex((l) => l.length >= 60);
      // the first packet's tag octet becomes 0x00 (no packet tag)
      const corrupted = lines.map((l, i) => (i === body ? 'A' + l.slice(1) : l)).join('\n');
      const truncated = lines.slice(0, body + 2).join('\n');
      const binary = (await openpgp.readKey({ armoredKey: rsa.armored })).write();
      for (const bytes of [Buffer.from(corrupted), Buffer.from(truncated), binary.subarray(0, 40), Buffer.from([0x99, 0x01, 0x0d, 0x04, 0xff]), Buffer.from('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64\n-----END PGP PUBLIC KEY BLOCK-----\n')]) {
        assert.equal(await codeOf(parseVerificationKeyFile(bytes, 'bad.asc')), 'E_KEY_INVALID', bytes.toString('latin1').slice(0, 40));
      }
      await assert.rejects(parseVerificationKeyFile(Buffer.from(truncated), 'bad.asc'), /does not parse/);
    });

    it('a private key (armored or binary) is E_KEY_PRIVATE; two keys or a revoked key in one file: E_KEY_INVALID', async () => {
      assert.equal(await codeOf(parseVerificationKeyFile(Buffer.from(rsa.privateKey.armor()), 'secret.asc')), 'E_KEY_PRIVATE');
      assert.equal(await codeOf(parseVerificationKeyFile(rsa.privateKey.write(), 'secret.gpg')), 'E_KEY_PRIVATE');
      const two = Buffer.concat([(await openpgp.readKey({ armoredKey: rsa.armored })).write(), (await openpgp.readKey({ armoredKey: ed.armored })).write()]);
      assert.equal(await codeOf(parseVerificationKeyFile(two, 'two.gpg')), 'E_KEY_INVALID');
      const { publicKey } = await openpgp.revokeKey({ key: ed.privateKey, format: 'armored' });
      await assert.rejects(parseVerificationKeyFile(Buffer.from(publicKey), 'revoked.asc'), (e: unknown) => e instanceof CnabTrustError && e.code === 'E_KEY_INVALID' && /revoked/.test(e.message));
    });

    it('a keyid that is not the fingerprint of the key: E_KEYID_MISMATCH (numbers, creation time, keyid or a subkey id changed)', async () => {
      const j = rsa.key.json as { keyid: string; creation_time: number; keyval: { public: { n: string; e: string } } };
      const n = j.keyval.public.n;
      const cases: unknown[] = [
        { ...j, keyid: ed.key.keyid },
        { ...j, creation_time: j.creation_time + 1 },
        { ...j, keyval: { private: '', public: { n: n.slice(0, -1) + (n.endsWith('1') ? '3' : '1'), e: j.keyval.public.e } } },
        { ...j, keyid: j.keyid.toUpperCase() },
      ];
      for (const c of cases) assert.equal(await codeOf(() => parseGpgKeyObject(c, 'key')), 'E_KEYID_MISMATCH');
      const subs = withSub.key.json['subkeys'] as Record<string, unknown>;
      const [id, sub] = Object.entries(subs)[0]!;
      assert.equal(await codeOf(() => parseGpgKeyObject({ ...withSub.key.json, subkeys: { [ed.key.keyid]: sub } }, 'key')), 'E_KEYID_MISMATCH');
      assert.equal(await codeOf(() => parseGpgKeyObject({ ...withSub.key.json, subkeys: { [id]: { ...(sub as object), creation_time: 1 } } }, 'key')), 'E_KEYID_MISMATCH');
      // in a layout
      const layout = { signatures: [], signed: { _type: 'layout', expires: '2099-01-01T00:00:00Z', keys: { [ed.key.keyid]: { ...j, keyid: ed.key.keyid } }, steps: [], inspect: [] } };
      assert.equal(await codeOf(() => parseMetablock(layout, 'root.layout')), 'E_KEYID_MISMATCH');
    });

    it('dicts that are not securesystemslib GPG keys: E_KEY_INVALID or E_KEY_UNSUPPORTED', async () => {
      const j = ed.key.json;
      const { creation_time: _c, ...noTime } = j;
      void _c;
      const cases: [unknown, string][] = [
        [{ ...j, type: 'elgamal' }, 'E_KEY_UNSUPPORTED'],
        [{ ...j, method: 'pgp+rsa-pkcsv1.5' }, 'E_KEY_INVALID'],
        [{ ...j, hashes: ['pgp+SHA1'] }, 'E_KEY_INVALID'],
        [{ ...j, keyval: { public: (j['keyval'] as { public: unknown }).public } }, 'E_KEY_INVALID'],
        [{ ...j, keyval: { private: '', public: { q: 'abcd' } } }, 'E_KEY_INVALID'],
        [{ ...j, creation_time: true }, 'E_KEY_INVALID'],
        [{ ...j, creation_time: 1.5 }, 'E_KEY_INVALID'],
        [{ ...j, validity_period: -1 }, 'E_KEY_INVALID'],
        [noTime, 'E_KEY_INVALID'],
        [{ ...j, subkeys: { [rsa.key.keyid]: rsa.key.json } }, 'E_KEY_INVALID'], // an rsa subkey of an eddsa key
      ];
      for (const [c, code] of cases) assert.equal(await codeOf(() => parseGpgKeyObject(c, 'key')), code, JSON.stringify(c).slice(0, 120));
    });
  });

  describe('in a supply chain (core/intoto verify)', () => {
    const sslib = generateKey('ed25519');

    async function chain(owner: Made, functionary: Made, linkSignedWith: 'gpg' | 'sslib', now = NOW): Promise<unknown> {
      const layout: LayoutModel = {
        _type: 'layout',
        expires: '2099-12-31T23:59:59Z',
        inspect: [],
        keys: { [functionary.key.keyid]: functionary.key.json, [sslib.publicKey.keyid]: { ...sslib.publicKey } },
        readme: '',
        steps: [{ _type: 'step', expected_command: [], expected_materials: [], expected_products: [['ALLOW', '*']], name: 'build', pubkeys: [functionary.key.keyid], threshold: 1 }],
      };
      const layoutSig = await sign(owner, signableBytes({ kind: 'layout', layout: { model: layout } } as never));
      const layoutFile = Buffer.from(metadataFileText({ signatures: [{ keyid: layoutSig.keyid, sig: '', gpg: { other_headers: layoutSig.other_headers, signature: layoutSig.signature } }], signed: layout }));
      const link: LinkModel = { _type: 'link', byproducts: {}, command: [], environment: {}, materials: {}, name: 'build', products: { a: { sha256: 'aa' } } };
      let linkFile: Buffer;
      if (linkSignedWith === 'gpg') {
        const s = await sign(functionary, signableBytes({ kind: 'link', link }));
        linkFile = Buffer.from(metadataFileText({ signatures: [{ keyid: s.keyid, sig: '', gpg: { other_headers: s.other_headers, signature: s.signature } }], signed: link }));
      } else {
        // an sslib signature under the GPG functionary's keyid
        const env = await signMetadata(link, [new SslibSigner(sslib.publicKey, sslib.privateKey)]);
        linkFile = Buffer.from(metadataFileText({ ...env, signatures: env.signatures.map((s) => ({ ...s, keyid: functionary.key.keyid })) }));
      }
      return verifySupplyChain({
        layout: loadMetablock(layoutFile, 'root.layout'),
        layoutKeys: [owner.key],
        links: { read: async (_dir, name) => (name === linkFileName('build', functionary.key.keyid) ? linkFile : undefined) },
        now,
      });
    }

    it('a GPG-signed layout and link verify', async () => {
      await chain(rsa, ed, 'gpg');
      await chain(ed, rsa, 'gpg');
    });

    it('an expired layout key is E_KEY_EXPIRED; an expired functionary key drops its link (E_INTOTO_THRESHOLD)', async () => {
      const later = new Date((ed.key.creationTime! + 7200) * 1000);
      assert.equal(await codeOf(chain(ed, rsa, 'gpg', later)), 'E_KEY_EXPIRED');
      assert.equal(await codeOf(chain(rsa, ed, 'gpg', later)), 'E_INTOTO_THRESHOLD');
    });

    it('a securesystemslib signature for a GPG key is E_INTOTO_INVALID (1.3.1: FormatError), not a skipped link', async () => {
      assert.equal(await codeOf(chain(rsa, ed, 'sslib')), 'E_INTOTO_INVALID');
    });
  });
});
