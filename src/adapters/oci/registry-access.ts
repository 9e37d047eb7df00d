/**
 * How a command reaches registries: plain HTTP or not, and whose credentials (`--username` with
 * `--password-stdin`, else docker's config.json and its credential helpers).
 */
import { chainCredentials, dockerConfigCredentials, staticCredentials } from './credentials.js';
import { RegistryClient } from './registry-store.js';

export interface RegistryAccess {
  /** `--plain-http`: plain HTTP to every registry (loopback registries always get it). */
  plainHttp?: boolean;
  /** `--username`; the password comes with it (read from stdin by the CLI, never from argv). */
  username?: string;
  password?: string;
  /** docker config.json to read credentials from (default `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`). */
  dockerConfig?: string;
  /** Blob transfers in flight (default 6). */
  concurrency?: number;
  timeoutMs?: number;
  /** Idle timeout and overall deadline of every request (`--idle-timeout`, `--deadline`). */
  idleTimeoutMs?: number;
  deadlineMs?: number;
  retries?: number;
}

export function registryClient(access: RegistryAccess = {}): RegistryClient {
  const fromConfig = dockerConfigCredentials(access.dockerConfig === undefined ? {} : { configPath: access.dockerConfig });
  const credentials =
    access.username !== undefined && access.password !== undefined
      ? chainCredentials(staticCredentials({ username: access.username, password: access.password }), fromConfig)
      : fromConfig;
  return new RegistryClient({
    credentials,
    ...(access.plainHttp === undefined ? {} : { plainHttp: access.plainHttp }),
    ...(access.timeoutMs === undefined ? {} : { timeoutMs: access.timeoutMs }),
    ...(access.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: access.idleTimeoutMs }),
    ...(access.deadlineMs === undefined ? {} : { deadlineMs: access.deadlineMs }),
    ...(access.retries === undefined ? {} : { retries: access.retries }),
  });
}
