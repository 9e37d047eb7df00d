/**
 * What every benchmark measures the same way: a whole process run under GNU time (`/usr/bin/time`, Debian package
 * `time`) for wall time and peak resident memory, runs of ours and a reference alternated so that a change in the
 * machine's load hits both sides, and medians. The machine is shared: every report also prints the load average.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export interface ProcessRun {
  ms: number;
  /** CPU time, user + system (GNU time %U + %S): less sensitive than wall time to other jobs on the machine. */
  cpuMs: number;
  /** Peak resident set size, KiB (GNU time %M). */
  peakKiB: number;
  stdout: string;
}

let runNo = 0;

/**
 * Run `command args` to completion under `/usr/bin/time`; rejects on a non-zero exit. Asynchronous: a
 * benchmark may serve the metadata or registry the command talks to from its own process.
 */
export function measureProcess(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<ProcessRun> {
  const timeFile = path.join(tmpdir(), `cnab-trust-bench-time-${process.pid}-${++runNo}`);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    execFile(
      '/usr/bin/time',
      ['-f', '%U %S %M', '-o', timeFile, command, ...args],
      { maxBuffer: 64 << 20, env: env ?? process.env },
      (err, stdout, stderr) => {
        const ms = performance.now() - t0;
        let peakKiB = NaN;
        let cpuMs = NaN;
        try {
          const [user, sys, peak] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
          peakKiB = peak!;
          cpuMs = (user! + sys!) * 1000;
        } catch {
          // no time file: the error below says why
        }
        rmSync(timeFile, { force: true });
        if (err) reject(new Error(`${command} ${args.join(' ')}: ${err.message}\n${stderr}`));
        else resolve({ ms, cpuMs, peakKiB, stdout });
      },
    );
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export interface Side {
  name: string;
  run: () => Promise<ProcessRun>;
}

export interface Compared {
  ours: { ms: number; cpuMs: number; peakKiB: number; runs: number[] };
  ref: { ms: number; cpuMs: number; peakKiB: number; runs: number[] };
  /** ours / reference, of the medians: below 1 is faster than the reference. */
  ratio: number;
}

/** `runs` alternating runs of each side (ours first, then the reference, and so on); medians of time and peak memory. */
export async function alternate(ours: Side, ref: Side, runs: number): Promise<Compared> {
  const o: ProcessRun[] = [];
  const r: ProcessRun[] = [];
  for (let i = 0; i < runs; i++) {
    o.push(await ours.run());
    r.push(await ref.run());
  }
  const side = (xs: ProcessRun[]) => ({
    ms: median(xs.map((x) => x.ms)),
    cpuMs: median(xs.map((x) => x.cpuMs)),
    peakKiB: median(xs.map((x) => x.peakKiB)),
    runs: xs.map((x) => x.ms),
  });
  const a = side(o);
  const b = side(r);
  return { ours: a, ref: b, ratio: a.ms / b.ms };
}

export const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
export const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
export const secs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** One line of a comparison: medians, ratio, peak memory, and whether the goal (a ratio at most `goal`) is met. */
export function compareLine(label: string, c: Compared, goal?: number): string {
  const verdict = goal === undefined ? '' : `   goal <= ${goal}x: ${c.ratio <= goal ? 'met' : 'NOT met'}`;
  return (
    `  ${label}: ours ${secs(c.ours.ms)} / ref ${secs(c.ref.ms)} = ${c.ratio.toFixed(2)}x` +
    ` (CPU ${secs(c.ours.cpuMs)} / ${secs(c.ref.cpuMs)} = ${(c.ours.cpuMs / c.ref.cpuMs).toFixed(2)}x)` +
    `   peak ${mib(c.ours.peakKiB)} / ${mib(c.ref.peakKiB)}${verdict}`
  );
}
