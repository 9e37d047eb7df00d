/**
 * In-toto key files on disk (`--key`, `--layout-keys`): an encrypted PEM takes its passphrase from the shared
 * passphrase source (the one the TUF key store uses), a wrong or missing passphrase is E_PASSPHRASE, and a
 * plain key never asks for one.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadPublicKey, loadSigner } from '../../../src/adapters/intoto/key-files.js';
import { generateKey } from '../../../src/core/crypto/keygen.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { rejectsCode } from '../../helpers/assert.js';

describe('adapters/intoto key files: encrypted private keys', () => {
  const tmp = makeTempDir();
  after(() => tmp.remove());

  const { privateKey } = generateKeyPairSync('ed25519');
  const encrypted = path.join(tmp.dir, 'enc.pem');
  writeFileSync(encrypted, privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' }));
  const plain = path.join(tmp.dir, 'plain.json');
  const generated = generateKey('ed25519');
  writeFileSync(plain, generated.privateFile);

  it('decrypts with the passphrase from the source, which is asked once per file and names it', async () => {
    const asked: string[] = [];
    const signer = await loadSigner(encrypted, async (purpose) => (asked.push(purpose), 'right'));
    assert.match(signer.keyid, /^[0-9a-f]{64}$/);
    assert.deepEqual(asked, [`decrypt ${encrypted}`]);
  });

  it('refuses a wrong passphrase with E_PASSPHRASE_WRONG (the passphrase is not in the message)', async () => {
    const e = await rejectsCode(loadSigner(encrypted, async () => 'wrong-secret'), 'E_PASSPHRASE_WRONG');
    assert.doesNotMatch(e.message, /wrong-secret/);
  });

  it('refuses a private key where a public key is expected (E_KEY_PRIVATE naming the file and the flag), asking nothing', async () => {
    for (const file of [encrypted, plain]) {
      const e = await rejectsCode(loadPublicKey(file, '--layout-keys'), 'E_KEY_PRIVATE');
      assert.equal(e.subject, file);
      assert.match(e.message, /--layout-keys/);
    }
  });

  it('fails with E_PASSPHRASE when the source has none (no TTY, no CNAB_TRUST_PASSPHRASE)', async () => {
    const saved = process.env['CNAB_TRUST_PASSPHRASE'];
    delete process.env['CNAB_TRUST_PASSPHRASE'];
    try {
      if (!process.stdin.isTTY) await rejectsCode(loadSigner(encrypted), 'E_PASSPHRASE');
      process.env['CNAB_TRUST_PASSPHRASE'] = 'right';
      assert.ok((await loadSigner(encrypted)).keyid);
    } finally {
      if (saved === undefined) delete process.env['CNAB_TRUST_PASSPHRASE'];
      else process.env['CNAB_TRUST_PASSPHRASE'] = saved;
    }
  });

  it('never asks for a passphrase for a plain key', async () => {
    const source = async (): Promise<string> => assert.fail('asked for a passphrase');
    assert.equal((await loadSigner(plain, source)).keyid, generated.publicKey.keyid);
  });
});
