/**
 * `python3 -m http.server` over a directory on 127.0.0.1 and a free port: the plain static file server the
 * repository layout must work behind (it decodes `%2F` into nested paths, as nginx and object stores do).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface StaticServer {
  url: string;
  stop(): Promise<void>;
}

export async function startPythonHttpServer(dir: string): Promise<StaticServer> {
  const child: ChildProcess = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = out.match(/port (\d+)/);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`python3 -m http.server exited (${code}): ${out}`)));
    child.once('error', reject);
  });
  child.stderr!.resume(); // request log
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
