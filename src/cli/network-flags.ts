/**
 * `--idle-timeout` and `--deadline`: the bounds of every network read a command makes (registry manifests,
 * blobs and tokens, TUF metadata and target files; adapters/http/guarded-fetch.ts), in seconds.
 */
import type { Argv } from 'yargs';
import { CnabTrustError } from '../core/errors.js';
import { DEFAULT_DEADLINE_MS, DEFAULT_IDLE_TIMEOUT_MS, type NetworkLimits } from '../adapters/http/guarded-fetch.js';

export interface NetworkFlags {
  'idle-timeout'?: number;
  deadline?: number;
}

export function withNetworkFlags<T>(y: Argv<T>): Argv<T & NetworkFlags> {
  return y
    .option('idle-timeout', {
      type: 'number',
      describe: `seconds to wait for a server's answer or for the next bytes of it (default ${DEFAULT_IDLE_TIMEOUT_MS / 1000})`,
    })
    .option('deadline', { type: 'number', describe: `seconds one network read may take in all (default ${DEFAULT_DEADLINE_MS / 1000})` })
    .group(['idle-timeout', 'deadline'], 'Network:') as Argv<T & NetworkFlags>;
}

export function networkLimits(flags: NetworkFlags): NetworkLimits {
  const ms = (flag: 'idle-timeout' | 'deadline'): number | undefined => {
    const v = flags[flag];
    if (v === undefined) return undefined;
    if (!Number.isFinite(v) || v <= 0 || v > 86_400) {
      throw new CnabTrustError('E_USAGE', `--${flag} must be a number of seconds above 0 and at most 86400`, { subject: `--${flag}` });
    }
    return Math.ceil(v * 1000);
  };
  const idle = ms('idle-timeout');
  const deadline = ms('deadline');
  return { ...(idle === undefined ? {} : { idleTimeoutMs: idle }), ...(deadline === undefined ? {} : { deadlineMs: deadline }) };
}
