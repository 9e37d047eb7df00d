/**
 * A Linux namespace sandbox for commands from untrusted metadata (in-toto inspections), built from util-linux
 * `unshare` and `setpriv` (no library does this from Node; both tools ship with every Linux distribution):
 *
 *  - new user, network, mount, PID, IPC and UTS namespaces: no network (only a loopback that is down), no view of
 *    other processes, its own /proc;
 *  - every mount read-only except the scratch directory the command runs in (bind-mounted on itself);
 *  - all capabilities dropped and no_new_privs before the command is executed, so it cannot undo the mounts.
 *
 * Not isolated: CPU and memory (only the time bound applies), the readable file system (it can read what the user
 * can), and whatever the kernel exposes to an unprivileged process. Where `unshare` is missing or namespaces are
 * not permitted, `probeSandbox()` says why and the caller runs the command unsandboxed, saying so.
 */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';

/** The shell run inside the namespaces: `$1` the scratch directory, the rest the command's argv, never parsed. */
const INSIDE = [
  'set -e',
  'dir=$1; shift',
  'mount --bind "$dir" "$dir"',
  'while read -r _dev mnt _rest; do',
  '  [ "$mnt" = "$dir" ] && continue',
  '  mount -o remount,bind,ro "$mnt" 2>/dev/null || true',
  'done < /proc/self/mounts',
  // the only writable place; a failed probe of the root proves the read-only view took
  'if touch /.cnab-trust-rw-probe 2>/dev/null; then rm -f /.cnab-trust-rw-probe; echo "cnab-trust sandbox: / is writable" >&2; exit 125; fi',
  'cd "$dir"',
  'exec setpriv --bounding-set=-all --inh-caps=-all --no-new-privs -- "$@"',
].join('\n');

const UNSHARE_FLAGS = ['--user', '--map-root-user', '--net', '--mount', '--pid', '--fork', '--mount-proc', '--ipc', '--uts'];

export type SandboxStatus = { available: true } | { available: false; reason: string };

let probed: SandboxStatus | undefined;

/** Whether the sandbox works here (probed once per process by running `true` in it). */
export function probeSandbox(): SandboxStatus {
  if (probed !== undefined) return probed;
  if (process.platform !== 'linux') return (probed = { available: false, reason: `namespaces are Linux only (this is ${process.platform})` });
  const r = spawnSync('unshare', [...UNSHARE_FLAGS, '--', 'sh', '-c', INSIDE, 'cnab-trust-sandbox', realpathSync('/tmp'), 'true'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 10_000,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  });
  if (r.error !== undefined) return (probed = { available: false, reason: `unshare: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}` });
  if (r.status !== 0) return (probed = { available: false, reason: `unshare/setpriv failed (${r.status ?? r.signal}): ${r.stderr.trim().split('\n')[0] ?? ''}` });
  return (probed = { available: true });
}

/** The argv that runs `argv` in the sandbox with `dir` as its only writable directory and working directory. */
export function sandboxed(argv: readonly string[], dir: string): string[] {
  return ['unshare', ...UNSHARE_FLAGS, '--', 'sh', '-c', INSIDE, 'cnab-trust-sandbox', realpathSync(dir), ...argv];
}
