/**
 * Whether a process that took a lock is still there: the lock records host, pid and the process's start time (Linux:
 * field 22 of /proc/<pid>/stat, clock ticks since boot), so that a pid reused by another process after a crash is
 * not mistaken for the holder. Only processes on this host can be judged; a lock from another host is never broken.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a lock: written into the lock file as JSON. */
export interface LockHolder {
  host: string;
  pid: number;
  /** When the lock was taken (ISO 8601). */
  started: string;
  /** The holder process's start time in clock ticks since boot (Linux), when known. */
  processStart?: number;
}

/** The start time of a process (Linux /proc), or undefined where there is no /proc. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]); // field 22 overall: starttime
    return Number.isSafeInteger(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** The holder record of this process, now. */
export function currentHolder(now: Date = new Date()): LockHolder {
  const processStart = processStartTicks(process.pid);
  return { host: hostname(), pid: process.pid, started: now.toISOString(), ...(processStart === undefined ? {} : { processStart }) };
}

/** Read a holder record (JSON; the older `pid N on HOST` text too). Undefined when it is neither. */
export function parseHolder(text: string): LockHolder | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockHolder>;
    if (typeof o.host === 'string' && Number.isSafeInteger(o.pid) && typeof o.started === 'string') {
      return { host: o.host, pid: o.pid!, started: o.started, ...(Number.isSafeInteger(o.processStart) ? { processStart: o.processStart! } : {}) };
    }
  } catch {
    // not JSON: maybe the older text form
  }
  const m = /^pid ([0-9]+) on (\S+)$/.exec(text.trim());
  return m === null ? undefined : { host: m[2]!, pid: Number(m[1]), started: 'unknown' };
}

/**
 * True when the holder is known to be gone: it ran on this host and its pid is not running, or the pid now
 * belongs to a process that started at another time. False when alive or when it cannot be told (another host).
 */
export function holderIsGone(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (holder.processStart === undefined) return false;
  const now = processStartTicks(holder.pid);
  return now !== undefined && now !== holder.processStart;
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, since ${h.started}`;
}
