/**
 * `intoto verify`: read the layout, the layout keys and the links from disk, run the core verification
 * (`core/intoto/verify.ts`, the reference's order), inspections in a scratch copy of the working directory.
 * A verification failure is a report with `verified: false` and the error (code, failing step or rule);
 * unreadable inputs are thrown (exit 3), as are usage errors.
 */
import path from 'node:path';
import { CnabTrustError, isCnabTrustError } from '../../core/errors.js';
import { parseVerificationKeyFile } from '../../core/crypto/verification-key-file.js';
import { MAX_METADATA_BYTES } from '../../core/intoto/json.js';

const readBounded = (file: string): Promise<Buffer> => readFileBounded(file, { maxBytes: MAX_METADATA_BYTES, what: 'in-toto metadata or key' });
import { loadMetablock, verifySupplyChain, type StepReport } from '../../core/intoto/verify.js';
import { DirectoryMetadataSource } from '../../adapters/intoto/directory-metadata-source.js';
import { readFileBounded } from '../../adapters/fs/read.js';

export interface IntotoVerifyInput {
  layout: string;
  layoutKeys: readonly string[];
  links: string;
  /** Run inspections (default true). */
  inspections?: boolean;
  /** Also run the inspections of sublayouts, which a functionary (not the layout owner) chose (default false). */
  sublayoutInspections?: boolean;
  /** The directory inspections see a copy of (default: the current directory, like in-toto-verify). */
  workDir?: string;
  inspectionTimeoutMs?: number;
  now?: Date;
  onWarning?: (message: string) => void;
}

export interface IntotoVerifyReport {
  verified: boolean;
  layout: string;
  layoutKeys: string[];
  links: string;
  steps: StepReport[];
  warnings: string[];
  inspections: { ran: string[]; skipped: boolean; sublayoutsSkipped?: number };
  error?: ReturnType<CnabTrustError['toJSON']>;
}

export async function intotoVerify(input: IntotoVerifyInput): Promise<IntotoVerifyReport> {
  if (input.layoutKeys.length === 0) {
    throw new CnabTrustError('E_USAGE', 'give at least one layout key (--layout-keys)', { subject: '--layout-keys' });
  }
  const [layoutBytes, ...keyBytes] = await Promise.all([readBounded(input.layout), ...input.layoutKeys.map(readBounded)]);
  const keys = await Promise.all(keyBytes.map((b, i) => parseVerificationKeyFile(b, input.layoutKeys[i]!, '--layout-keys')));
  const layoutName = path.basename(input.layout);
  const report: IntotoVerifyReport = {
    verified: false,
    layout: input.layout,
    layoutKeys: keys.map((k) => k.keyid),
    links: input.links,
    steps: [],
    warnings: [],
    inspections: { ran: [], skipped: input.inspections === false },
  };
  let runner: import('../../adapters/intoto/inspection-runner.js').ScratchInspectionRunner | undefined;
  try {
    const layout = loadMetablock(layoutBytes, layoutName);
    const declared = layout.signed.kind === 'layout' ? layout.signed.layout.model.inspect.length : 0;
    if (input.inspections !== false && (declared > 0 || input.sublayoutInspections === true)) {
      const { ScratchInspectionRunner } = await import('../../adapters/intoto/inspection-runner.js');
      runner = new ScratchInspectionRunner({
        workDir: input.workDir ?? process.cwd(),
        ...(input.inspectionTimeoutMs === undefined ? {} : { timeoutMs: input.inspectionTimeoutMs }),
      });
    }
    const result = await verifySupplyChain({
      layout,
      layoutKeys: keys,
      links: new DirectoryMetadataSource(input.links),
      now: input.now ?? new Date(),
      ...(runner === undefined ? {} : { inspections: runner }),
      ...(input.sublayoutInspections === true ? { sublayoutInspections: true } : {}),
      onWarning: (w) => {
        report.warnings.push(w);
        input.onWarning?.(w);
      },
    });
    report.verified = true;
    report.steps = result.steps;
    report.inspections = result.inspections;
  } catch (e) {
    if (!isCnabTrustError(e) || e.category !== 'verification') throw e;
    report.error = e.toJSON();
  } finally {
    runner?.dispose();
  }
  return report;
}
