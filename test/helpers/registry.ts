/**
 * Shared helpers for tests that need real registries: start CNCF distribution (`docker-registry`, Debian) on a free
 * 127.0.0.1 port with a temporary config (filesystem storage, fixed http.secret; optional htpasswd Basic auth or
 * token auth), write small real images as OCI image layouts by hand, and run `skopeo`.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const execFileAsync = promisify(execFile);

export interface TempDir {
  path: string;
  cleanup(): Promise<void>;
}

export async function tempDir(prefix = 'cnab-trust-oci-'): Promise<TempDir> {
  const p = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { path: p, cleanup: () => rm(p, { recursive: true, force: true }) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RegistryAuth {
  /** htpasswd Basic auth with one bcrypt user (`htpasswd -B`). */
  htpasswd?: { username: string; password: string };
  /** Token auth: the registry trusts tokens signed by this token server. */
  token?: TokenServer;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  root: string;
  stop(): Promise<void>;
  /** Kill without waiting (a registry that goes away mid-copy). */
  kill(): void;
  process: ChildProcess;
}

/** Start `docker-registry serve` on a free loopback port; resolves once GET /v2/ answers. */
export async function startRegistry(auth: RegistryAuth = {}): Promise<RunningRegistry> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startRegistryOnce(auth);
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

async function startRegistryOnce(auth: RegistryAuth): Promise<RunningRegistry> {
  const dir = await tempDir('cnab-trust-registry-');
  const port = await freePort();
  const instance = randomBytes(8).toString('hex');
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir.path, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: cnab-trust-test-secret',
    // a header only this instance sends: the readiness check must reach it, not another test run's server that
    // took the port between freePort() and the registry's bind (the machine runs several suites at once)
    '  headers:',
    `    X-Cnab-Trust-Test-Instance: [${instance}]`,
  ];
  if (auth.htpasswd) {
    const file = path.join(dir.path, 'htpasswd');
    await execFileAsync('htpasswd', ['-B', '-b', '-c', file, auth.htpasswd.username, auth.htpasswd.password]);
    lines.push('auth:', '  htpasswd:', '    realm: cnab-trust-test', `    path: ${file}`);
  } else if (auth.token) {
    const bundle = path.join(dir.path, 'token-root.pem');
    await writeFile(bundle, auth.token.certificatePem);
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${auth.token.url}/token`,
      `    service: ${auth.token.service}`,
      `    issuer: ${auth.token.issuer}`,
      `    rootcertbundle: ${bundle}`,
    );
  }
  const config = path.join(dir.path, 'config.yml');
  await writeFile(config, lines.join('\n') + '\n');
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 8192) stderr += d;
  });
  const host = `127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await dir.cleanup();
  };
  // No deadline of our own: on a loaded machine the registry may take long to listen; it either answers, exits
  // (e.g. the port was taken: startRegistry tries another), or the test's own timeout ends the wait.
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await dir.cleanup();
      throw new Error(`docker-registry exited: ${stderr.slice(0, 2000)}`);
    }
    try {
      const res = await fetch(`http://${host}/v2/`);
      await res.body?.cancel();
      if (res.headers.get('x-cnab-trust-test-instance') !== instance) {
        await stop();
        throw new Error(`another server answers on ${host}`);
      }
      if (res.status === 200 || res.status === 401) break;
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('another server')) throw e;
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host, root: dir.path, stop, kill: () => child.kill('SIGKILL'), process: child };
}

// ---- hand-written OCI image layouts -------------------------------------------------------------

function sha256(bytes: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}

/** A ustar archive with regular files (enough for a real image layer). */
export function tarOf(files: Record<string, Uint8Array | string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    parts.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export interface TestImage {
  /** Descriptor of the image manifest. */
  manifest: { mediaType: string; digest: string; size: number };
  manifestBytes: Buffer;
  layers: { digest: string; size: number }[];
}

async function writeBlob(dir: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(path.join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
  return digest;
}

/**
 * Write a small real image (config + layers of tar files) into an OCI image layout `dir` under `tag`.
 * `layers`: one entry per layer, each a map of file name to content. `gzip` compresses the layers (default true).
 */
export async function writeImageLayout(
  dir: string,
  tag: string,
  layers: Record<string, Uint8Array | string>[],
  options: { gzip?: boolean } = {},
): Promise<TestImage> {
  const gzip = options.gzip ?? true;
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const layerDescs: { mediaType: string; digest: string; size: number }[] = [];
  const diffIds: string[] = [];
  for (const files of layers) {
    const tar = tarOf(files);
    diffIds.push(sha256(tar));
    const blob = gzip ? gzipSync(tar) : tar;
    const digest = await writeBlob(dir, blob);
    layerDescs.push({
      mediaType: gzip ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar',
      digest,
      size: blob.length,
    });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
    }),
  );
  const configDigest = await writeBlob(dir, config);
  const manifestBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: layerDescs,
    }),
  );
  const manifestDigest = await writeBlob(dir, manifestBytes);
  const manifest = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifestBytes.length };
  const indexFile = path.join(dir, 'index.json');
  let index: { schemaVersion: number; manifests: Record<string, unknown>[] } = { schemaVersion: 2, manifests: [] };
  try {
    index = JSON.parse(await readFile(indexFile, 'utf8')) as typeof index;
  } catch {
    // new layout
  }
  index.manifests = index.manifests.filter(
    (m) => (m.annotations as Record<string, string> | undefined)?.['org.opencontainers.image.ref.name'] !== tag,
  );
  index.manifests.push({ ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } });
  await writeFile(indexFile, JSON.stringify(index));
  return { manifest, manifestBytes, layers: layerDescs.map(({ digest, size }) => ({ digest, size })) };
}

/** Fresh random bytes (so no registry already has them). */
export function randomLayerFiles(bytes: number, name = 'data.bin'): Record<string, Uint8Array> {
  return { [name]: randomBytes(bytes) };
}

// ---- skopeo -------------------------------------------------------------------------------------

export interface SkopeoOptions {
  /** docker config.json style auth file for registries that need credentials. */
  authfile?: string;
  timeoutMs?: number;
}

/** Run skopeo with TLS verification off (loopback registries speak plain HTTP) and a permissive policy. */
export async function skopeo(args: string[], options: SkopeoOptions = {}): Promise<string> {
  const [command, ...rest] = args;
  const flags: string[] = [];
  if (command === 'copy') flags.push('--src-tls-verify=false', '--dest-tls-verify=false');
  if (command === 'inspect') flags.push('--tls-verify=false');
  if (options.authfile !== undefined) flags.push('--authfile', options.authfile);
  const { stdout } = await execFileAsync('skopeo', ['--insecure-policy', command!, ...flags, ...rest], {
    maxBuffer: 64 << 20,
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, REGISTRY_AUTH_FILE: options.authfile ?? '/nonexistent-cnab-trust-authfile' },
  });
  return stdout;
}

/** Copy `oci:<dir>:<tag>` into `docker://<host>/<repo>:<tag>` with skopeo. */
export async function seedImage(layoutDir: string, tag: string, target: string, options: SkopeoOptions = {}): Promise<void> {
  await skopeo(['copy', '--preserve-digests', `oci:${layoutDir}:${tag}`, `docker://${target}`], options);
}

/** Write a docker config.json with Basic credentials for `host` (for skopeo --authfile and our client). */
export async function writeDockerConfig(file: string, host: string, username: string, password: string): Promise<void> {
  await writeFile(file, JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } }), {
    mode: 0o600,
  });
}

// ---- token server (distribution token authentication) -------------------------------------------

export interface TokenServer {
  url: string;
  service: string;
  issuer: string;
  certificatePem: string;
  /** Requests seen: scopes asked and whether Basic credentials came along. */
  requests: { scopes: string[]; authorized: boolean }[];
  stop(): Promise<void>;
}

function base64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

/**
 * A token server as distribution 2.8 trusts it (DESIGN §6): ES256 JWTs with the signing certificate in `x5c`
 * (chained to the registry's rootcertbundle), raw r‖s signatures, claims iss/aud/exp/nbf/iat/jti/access.
 * With `credentials`, a token is given only to requests carrying them.
 */
export async function startTokenServer(credentials?: { username: string; password: string }): Promise<TokenServer> {
  const dir = await tempDir('cnab-trust-token-');
  const keyFile = path.join(dir.path, 'key.pem');
  const certFile = path.join(dir.path, 'cert.pem');
  await execFileAsync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=cnab-trust-test-token',
  ]);
  const keyPem = await readFile(keyFile, 'utf8');
  const certificatePem = await readFile(certFile, 'utf8');
  await dir.cleanup();
  const der = Buffer.from(certificatePem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const key = createPrivateKey(keyPem);
  const service = 'cnab-trust-test-registry';
  const issuer = 'cnab-trust-test-issuer';
  const requests: TokenServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scopes = url.searchParams.getAll('scope');
    const header = req.headers.authorization ?? '';
    const expected = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
    const authorized = expected !== undefined && header === expected;
    requests.push({ scopes, authorized });
    if (credentials && !authorized) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"details":"bad credentials"}');
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.map((s) => {
      const [type, ...rest] = s.split(':');
      const actions = rest.pop() ?? '';
      return { type, name: rest.join(':'), actions: actions.split(',') };
    });
    const head = base64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: [der.toString('base64')] }));
    const claims = base64url(
      JSON.stringify({ iss: issuer, sub: credentials?.username ?? '', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }),
    );
    const signature = sign('sha256', Buffer.from(`${head}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: `${head}.${claims}.${base64url(signature)}`, expires_in: 300 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    service,
    issuer,
    certificatePem,
    requests,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
