/**
 * Runs a layout's inspections the way in-toto 1.3.1 `run_all_inspections` does — record `.` as materials
 * (default excludes, no base path), run the command, record `.` as products — but not in the user's
 * directory: in a scratch copy of the working directory (or a scratch directory seeded by the caller), made
 * once per verification so that inspections see each other's results in layout order as they would in place;
 * the command runs without a shell, with a timeout, a scrubbed environment and bounded output, and, where Linux
 * namespaces work (adapters/process/sandbox.ts), without network and with the rest of the file system read-only.
 * The inspection links are not written anywhere.
 */
import { cpSync, lstatSync, readdirSync } from 'node:fs';
import { makeTempDirSync, removeTempDirSync } from '../fs/temp-dir.js';
import { probeSandbox, type SandboxStatus } from '../process/sandbox.js';
import { CnabTrustError } from '../../core/errors.js';
import path from 'node:path';
import type { InspectionRunner } from '../../core/intoto/verify.js';
import type { InspectionModel, LinkModel } from '../../core/intoto/metadata.js';
import { recordArtifacts } from './artifact-recorder.js';
import { runBounded, type BoundedRunOptions } from '../process/run-bounded.js';

export interface ScratchInspectionOptions {
  /** The directory whose copy the inspections see (where the final product is). Default: an empty scratch. */
  workDir?: string;
  /**
   * Called once, when the scratch directory is made (just before the first inspection runs), with the links that
   * verified: place files there (verify: the bundle under the name the signed supply chain gave it).
   */
  seed?: (scratch: string, verified: ReadonlyMap<string, LinkModel>) => void;
  /** 'auto' (default): run in the namespace sandbox where it works; 'off': never. */
  isolation?: 'auto' | 'off';
  /** Refuse to copy a working directory with more entries than this (default 100,000). */
  maxEntries?: number;
  /** Refuse to copy a working directory with more bytes than this (default 4 GiB). */
  maxBytes?: number;
  timeoutMs?: number;
  maxOutputBytes?: number;
}

export class ScratchInspectionRunner implements InspectionRunner {
  #scratch: string | undefined;
  /** Whether the commands run sandboxed, and if not why (for the report). */
  readonly isolation: SandboxStatus;

  constructor(private readonly options: ScratchInspectionOptions) {
    this.isolation = options.isolation === 'off' ? { available: false, reason: 'isolation turned off' } : probeSandbox();
  }

  /** Count what a copy of the working directory would take, refusing one too large to copy (a home directory). */
  private checkSize(workDir: string): void {
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
            `the working directory ${workDir} is too large to copy for the inspections (more than ${maxEntries} entries or ${maxBytes} bytes)`,
            { subject: workDir, hint: 'run from the directory that holds the final product, or pass --no-inspections' },
          );
        }
        if (st.isDirectory()) walk(p);
      }
    };
    walk(workDir);
  }

  private scratch(verified: ReadonlyMap<string, LinkModel>): string {
    if (this.#scratch === undefined) {
      const { workDir } = this.options;
      if (workDir !== undefined) this.checkSize(workDir);
      const dir = makeTempDirSync('inspect');
      this.#scratch = dir;
      if (workDir !== undefined) cpSync(workDir, dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      this.options.seed?.(dir, verified);
    }
    return this.#scratch;
  }

  async run(inspection: InspectionModel, verified: ReadonlyMap<string, LinkModel> = new Map()): Promise<LinkModel> {
    const cwd = this.scratch(verified);
    const materials = recordArtifacts(['.'], { basePath: cwd });
    const runOptions: BoundedRunOptions = { cwd, sandbox: this.isolation.available };
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
    if (this.#scratch !== undefined) removeTempDirSync(this.#scratch);
    this.#scratch = undefined;
  }
}
