/** docker config.json is untrusted input: read with a size bound, missing means anonymous, broken JSON is named. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dockerConfigCredentials } from '../../../src/adapters/oci/credentials.js';
import { rejectsCode } from '../../helpers/assert.js';

describe('adapters/oci docker config.json', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cnab-trust-dockercfg-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads auths entries', async () => {
    const configPath = path.join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify({ auths: { '127.0.0.1:5000': { auth: Buffer.from('alice:s3cret').toString('base64') } } }));
    const creds = await dockerConfigCredentials({ configPath })('127.0.0.1:5000');
    assert.deepEqual(creds, { username: 'alice', password: 's3cret' });
  });

  it('a missing file means anonymous access', async () => {
    assert.equal(await dockerConfigCredentials({ configPath: path.join(dir, 'none.json') })('127.0.0.1:5000'), undefined);
  });

  it('a file over 1 MiB is refused (E_FILE_TOO_LARGE), broken JSON is E_JSON_PARSE naming the file', async () => {
    const big = path.join(dir, 'big.json');
    await writeFile(big, `{"auths":{},"pad":"${'x'.repeat(1024 * 1024)}"}`);
    await rejectsCode(dockerConfigCredentials({ configPath: big })('127.0.0.1:5000'), 'E_FILE_TOO_LARGE');
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, '{"auths": ');
    await rejectsCode(dockerConfigCredentials({ configPath: broken })('127.0.0.1:5000'), 'E_JSON_PARSE', /broken\.json/);
  });
});
