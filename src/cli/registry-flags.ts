/**
 * Flags of every command that talks to registries, and turning them into `RegistryAccess`.
 * The password is read from stdin (`--password-stdin`), never from argv.
 */
import type { Argv } from 'yargs';
import { CnabTrustError } from '../core/errors.js';
import type { RegistryAccess } from '../adapters/oci/registry-access.js';
import { networkLimits, withNetworkFlags, type NetworkFlags } from './network-flags.js';

export interface RegistryFlags extends NetworkFlags {
  'plain-http'?: boolean;
  username?: string;
  'password-stdin'?: boolean;
  'docker-config'?: string;
  concurrency?: number;
}

export function withRegistryFlags<T>(y: Argv<T>): Argv<T & RegistryFlags> {
  return withNetworkFlags(y)
    .option('plain-http', { type: 'boolean', describe: 'plain HTTP to every registry (loopback registries always use it)' })
    .option('username', { type: 'string', describe: 'registry user name (with --password-stdin); default: docker config.json' })
    .option('password-stdin', { type: 'boolean', describe: 'read the registry password from stdin' })
    .option('docker-config', { type: 'string', describe: 'docker config.json for credentials (default $DOCKER_CONFIG or ~/.docker)' })
    .option('concurrency', { type: 'number', describe: 'blob transfers in flight (default 6)' })
    .group(['plain-http', 'username', 'password-stdin', 'docker-config', 'concurrency'], 'Registry:') as Argv<T & RegistryFlags>;
}

async function readStdin(max = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of process.stdin) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
    n += b.length;
    if (n > max) throw new CnabTrustError('E_USAGE', 'the password on stdin is too long', { subject: '--password-stdin' });
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function registryAccess(flags: RegistryFlags): Promise<RegistryAccess> {
  const access: RegistryAccess = { ...networkLimits(flags) };
  if (flags['plain-http'] === true) access.plainHttp = true;
  if (flags['docker-config'] !== undefined) access.dockerConfig = flags['docker-config'];
  if (flags.concurrency !== undefined) {
    if (!Number.isInteger(flags.concurrency) || flags.concurrency < 1 || flags.concurrency > 64) {
      throw new CnabTrustError('E_USAGE', '--concurrency must be an integer from 1 to 64', { subject: '--concurrency' });
    }
    access.concurrency = flags.concurrency;
  }
  if (flags['password-stdin'] === true && flags.username === undefined) {
    throw new CnabTrustError('E_USAGE', '--password-stdin needs --username', { subject: '--password-stdin' });
  }
  if (flags.username !== undefined) {
    if (flags['password-stdin'] !== true) {
      throw new CnabTrustError('E_USAGE', '--username needs --password-stdin (passwords are never taken from the command line)', { subject: '--username' });
    }
    access.username = flags.username;
    access.password = await readStdin();
  }
  return access;
}
