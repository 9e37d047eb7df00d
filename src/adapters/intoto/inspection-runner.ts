/**
 * Runs a layout's inspections the way in-toto 1.3.1 `run_all_inspections` does — record `.` as materials
 * (default excludes, no base path), run the command, record `.` as products — but not in the user's
 * directory: in a scratch copy of the working directory, made once per verification so that inspections
 * see each other's results in layout order as they would in place; the command runs without a shell, with
 * a timeout, a scrubbed environment and bounded output. The inspection links are not written anywhere.
 */
import { cpSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { CnabTrustError } from '../../core/errors.js';
import os from 'node:os';
import path from 'node:path';
import type { InspectionRunner } from '../../core/intoto/verify.js';
import type { InspectionModel, LinkModel } from '../../core/intoto/metadata.js';
import { recordArtifacts } from './artifact-recorder.js';
import { runBounded, type BoundedRunOptions } from '../process/run-bounded.js';

export interface ScratchInspectionOptions {
  /** The directory whose copy the inspections see (where the final product is). */
  workDir: string;
  /** Refuse to copy a working directory with more entries than this (default 100,000). */
  maxEntries?: number;
  /** Refuse to copy a working directory with more bytes than this (default 4 GiB). */
  maxBytes?: number;
  timeoutMs?: number;
  maxOutputBytes?: number;
}

export class ScratchInspectionRunner implements InspectionRunner {
  #scratch: string | undefined;

  constructor(private readonly options: ScratchInspectionOptions) {}

  /** Count what a copy of the working directory would take, refusing one too large to copy (a home directory). */
  private checkSize(): void {
    const maxEntries = this.options.maxEntries ?? 100_000;
    const maxBytes = this.options.maxBytes ?? 4 * 1024 ** 3;
    let entries = 0;
    let bytes = 0;
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        const st = lstatSync(p);
        entries++;
        bytes += st.isFile() ? st.size : 0;
        if (entries > maxEntries || bytes > maxBytes) {
          throw new CnabTrustError(
            'E_INTOTO_INSPECTION',
            `the working directory ${this.options.workDir} is too large to copy for the inspections (more than ${maxEntries} entries or ${maxBytes} bytes)`,
            { subject: this.options.workDir, hint: 'run from the directory that holds the final product, or pass --no-inspections' },
          );
        }
        if (st.isDirectory()) walk(p);
      }
    };
    walk(this.options.workDir);
  }

  private scratch(): string {
    if (this.#scratch === undefined) {
      this.checkSize();
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-inspect-'));
      this.#scratch = dir;
      cpSync(this.options.workDir, dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    }
    return this.#scratch;
  }

  async run(inspection: InspectionModel): Promise<LinkModel> {
    const cwd = this.scratch();
    const materials = recordArtifacts(['.'], { basePath: cwd });
    const runOptions: BoundedRunOptions = { cwd };
    if (this.options.timeoutMs !== undefined) runOptions.timeoutMs = this.options.timeoutMs;
    if (this.options.maxOutputBytes !== undefined) runOptions.maxOutputBytes = this.options.maxOutputBytes;
    const r = await runBounded(inspection.run, runOptions);
    const products = recordArtifacts(['.'], { basePath: cwd });
    return {
      _type: 'link',
      name: inspection.name,
      materials,
      products,
      byproducts: {
        stdout: r.stdout,
        stderr: r.stderr,
        'return-value': r.returnValue,
        ...(r.timedOut ? { 'timed-out': true } : {}),
        ...(r.truncated ? { truncated: true } : {}),
      },
      command: [...inspection.run],
      environment: {},
    };
  }

  /** Remove the scratch directory. */
  dispose(): void {
    if (this.#scratch !== undefined) rmSync(this.#scratch, { recursive: true, force: true });
    this.#scratch = undefined;
  }
}
