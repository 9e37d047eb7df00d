/**
 * Progress of image copies (push, relocate, export, import) on stderr: the image being copied, bytes done and the
 * total found so far, the transfer rate. One line redrawn in place, at most five times a second, and only on a
 * terminal: never into a pipe or a file, never with --json or --quiet. A small renderer of our own: one line of
 * text does not need a progress library.
 */
import type { CopyProgress } from '../adapters/oci/copy.js';

/** Bytes for humans: B, KiB, MiB, GiB with one decimal. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** The progress line for `p`, `elapsedMs` after the copy began. */
export function progressLine(p: CopyProgress, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (p.bytes * 1000) / elapsedMs : 0;
  const image = p.image === undefined ? 'copying' : `copying ${p.image}`;
  return `${image}: ${formatBytes(p.doneBytes)} of ${formatBytes(p.totalBytes)}, ${formatBytes(Math.round(rate))}/s, ${p.blobs} blob(s), ${p.manifests} manifest(s)`;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export interface CopyProgressReporter {
  onProgress: (p: CopyProgress) => void;
  /** End the line (after the copy, before the command's own output). */
  done(): void;
}

/**
 * A reporter for `flags`, or undefined when nothing must be drawn: not a terminal, or --json / --quiet. `stream`
 * and `now` are parameters so that tests can give a terminal and a clock.
 */
export function copyProgress(
  flags: { json?: boolean; quiet?: boolean },
  stream: ProgressStream = process.stderr,
  now: () => number = Date.now,
): CopyProgressReporter | undefined {
  if (stream.isTTY !== true || flags.json === true || flags.quiet === true) return undefined;
  const start = now();
  let lastDraw = -Infinity;
  let drawn = false;
  let latest: CopyProgress | undefined;
  const draw = (p: CopyProgress): void => {
    const width = stream.columns !== undefined && stream.columns > 10 ? stream.columns - 1 : 79;
    const line = progressLine(p, now() - start);
    // \r and erase to the end of the line: the line is redrawn in place
    stream.write(`\r${line.length > width ? line.slice(0, width) : line}\x1b[K`);
    drawn = true;
  };
  return {
    onProgress: (p) => {
      latest = p;
      const t = now();
      if (t - lastDraw < 200) return;
      lastDraw = t;
      draw(p);
    },
    done: () => {
      if (latest !== undefined) draw(latest);
      if (drawn) stream.write('\n');
    },
  };
}
