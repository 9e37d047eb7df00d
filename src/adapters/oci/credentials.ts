/**
 * Registry credentials: from the command line (`--username` with `--password-stdin`), or from docker's
 * `config.json` (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`): `auths` entries (`auth` =
 * base64 `user:password`, or `username`/`password`), `credHelpers[host]` and `credsStore` run as
 * `docker-credential-<name> get` with the host on stdin (the docker credential helper protocol).
 * Secrets never reach argv, logs or error messages.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { CnabTrustError, isCnabTrustError } from '../../core/errors.js';
import { readFileBounded } from '../fs/index.js';

/** A docker config.json is small; a larger one is refused rather than read whole. */
const MAX_DOCKER_CONFIG_BYTES = 1024 * 1024;

export interface Credentials {
  username: string;
  password: string;
}

/** Finds the credentials for a registry host (`host[:port]`), or undefined for anonymous access. */
export type CredentialLookup = (registry: string) => Promise<Credentials | undefined>;

/** Fixed credentials for every registry given on the command line (or only for `forRegistry`). */
export function staticCredentials(credentials: Credentials, forRegistry?: string): CredentialLookup {
  return async (registry) => (forRegistry === undefined || forRegistry === registry ? credentials : undefined);
}

/** Try each lookup in order; the first that knows the registry wins. */
export function chainCredentials(...lookups: CredentialLookup[]): CredentialLookup {
  return async (registry) => {
    for (const l of lookups) {
      const c = await l(registry);
      if (c !== undefined) return c;
    }
    return undefined;
  };
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export interface DockerConfigOptions {
  /** Path of config.json; default `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Runs a credential helper (tests inject one); default spawns `docker-credential-<helper>`. */
  runHelper?: (helper: string, registry: string) => Promise<Credentials | undefined>;
}

/** Docker Hub is stored under its historical key. */
function configKeysFor(registry: string): string[] {
  if (registry === 'docker.io' || registry === 'registry-1.docker.io' || registry === 'index.docker.io') {
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  }
  return [registry, `https://${registry}`, `http://${registry}`];
}

/** `https://host/v1/` -> `host`, as docker normalizes `auths` keys. */
function normalizeKey(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

export function dockerConfigCredentials(options: DockerConfigOptions = {}): CredentialLookup {
  const env = options.env ?? process.env;
  const configPath =
    options.configPath ?? path.join(env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker'), 'config.json');
  const runHelper = options.runHelper ?? runCredentialHelper;
  let config: Promise<DockerConfig | undefined> | undefined;
  const load = (): Promise<DockerConfig | undefined> =>
    (config ??= readFileBounded(configPath, { maxBytes: MAX_DOCKER_CONFIG_BYTES, what: 'docker config' }).then(
      (bytes) => {
        try {
          // JSON.parse (not the strict parser) on purpose: docker itself reads this file with Go's lenient decoder
          return JSON.parse(bytes.toString('utf8')) as DockerConfig;
        } catch (e) {
          throw new CnabTrustError('E_JSON_PARSE', `docker config ${configPath} is not JSON`, { subject: configPath, cause: e });
        }
      },
      (e: unknown) => {
        if (isCnabTrustError(e) && e.code === 'E_FILE_NOT_FOUND') return undefined;
        throw e;
      },
    ));
  return async (registry) => {
    const cfg = await load();
    if (cfg === undefined) return undefined;
    const keys = configKeysFor(registry);
    // docker: a per-registry credHelper wins over credsStore, which wins over inline auths
    const helper = keys.map((k) => cfg.credHelpers?.[k]).find((h) => typeof h === 'string');
    if (helper !== undefined) return runHelper(helper, keys[0]!);
    if (typeof cfg.credsStore === 'string' && cfg.credsStore.length > 0) {
      const found = await runHelper(cfg.credsStore, keys[0]!);
      if (found !== undefined) return found;
    }
    for (const [key, entry] of Object.entries(cfg.auths ?? {})) {
      if (!keys.includes(key) && !keys.includes(normalizeKey(key))) continue;
      if (typeof entry.auth === 'string' && entry.auth.length > 0) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const sep = decoded.indexOf(':');
        if (sep > 0) return { username: decoded.slice(0, sep), password: decoded.slice(sep + 1) };
      }
      if (typeof entry.username === 'string' && typeof entry.password === 'string') {
        return { username: entry.username, password: entry.password };
      }
    }
    return undefined;
  };
}

/** The docker credential helper protocol: `docker-credential-<name> get`, host on stdin, JSON on stdout. */
export async function runCredentialHelper(helper: string, registry: string): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) {
    throw new CnabTrustError('E_USAGE', `invalid credential helper name ${JSON.stringify(helper)}`, { subject: 'docker config' });
  }
  const program = `docker-credential-${helper}`;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], shell: false, timeout: 30_000 });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (out.length < 1 << 20) out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < 4096) err += d;
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new CnabTrustError('E_OCI_AUTH', `cannot run credential helper ${program}: ${e.code ?? e.message}`, { subject: registry })),
    );
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    child.stdin.end(registry);
  });
  if (code !== 0) {
    // helpers say "credentials not found in native keychain" when they have nothing for this host
    if (/not found/i.test(stderr) || /not found/i.test(stdout)) return undefined;
    throw new CnabTrustError('E_OCI_AUTH', `credential helper ${program} failed (exit ${code})`, { subject: registry });
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
  } catch {
    throw new CnabTrustError('E_OCI_AUTH', `credential helper ${program} printed no JSON`, { subject: registry });
  }
  if (typeof parsed.Username !== 'string' || typeof parsed.Secret !== 'string') return undefined;
  return { username: parsed.Username, password: parsed.Secret };
}
