/**
 * The verification report of `cnab-trust verify` (CNAB-Sec 303): a stable, documented shape that `--json` prints
 * and CI keeps. The verifier adds one step per stage in the order it ran them and stops at the first failure.
 *
 *   { "verified": bool, "source": "...", "target": { "name", "length", "hashes", "custom", "signedBy" } | null,
 *     "digest": "sha256:..." | null,
 *     "steps": [{ "name", "ok", "summary", "checks"?, "skipped"?, "details"? }],
 *     "warnings": [...], "error"?: { "code", "message", "subject", "hint"?, "details"? } }
 *
 * Stable: fields are only ever added. README "verify" documents each one.
 */
import { CnabTrustError, type ErrorCode } from '../errors.js';

/** The stages of CNAB-Sec 303 as this verifier runs them. */
export type VerifyStepName = 'tuf' | 'bundle' | 'images' | 'relocation' | 'in-toto';

export interface VerifyStep {
  name: VerifyStepName;
  ok: boolean;
  /** One line: what was checked and what came out. */
  summary: string;
  /** The individual facts checked, in order (image by image, rule by rule). */
  checks?: string[];
  /** True when the stage did not apply (no relocation mapping, no in-toto metadata, inspections skipped). */
  skipped?: boolean;
  details?: Record<string, unknown>;
}

export interface VerifiedTarget {
  name: string;
  length: number;
  hashes: Record<string, string>;
  custom?: Record<string, unknown>;
  /** The TUF role whose listing was trusted (`targets/releases`, `targets`, ...). */
  signedBy?: string;
}

export interface VerifyReportError {
  code: ErrorCode;
  message: string;
  subject?: string;
  hint?: string;
  details?: Record<string, unknown>;
}

export interface VerifyReport {
  verified: boolean;
  /** What was verified, as given (reference, `oci:dir:tag`, file). */
  source: string;
  target: VerifiedTarget | null;
  digest: string | null;
  steps: VerifyStep[];
  warnings: string[];
  error?: VerifyReportError;
}

/** Builds a report as the verifier runs; `fail` records the first failure and closes the report. */
export class VerifyReportBuilder {
  private readonly report: VerifyReport;

  constructor(source: string) {
    this.report = { verified: false, source, target: null, digest: null, steps: [], warnings: [] };
  }

  /** The stage recorded last (for progress callbacks). */
  lastStep(): VerifyStep | undefined {
    return this.report.steps[this.report.steps.length - 1];
  }

  setTarget(target: VerifiedTarget): void {
    this.report.target = target;
  }

  setDigest(digest: string): void {
    this.report.digest = digest;
  }

  warn(message: string): void {
    this.report.warnings.push(message);
  }

  pass(name: VerifyStepName, summary: string, extra: Omit<VerifyStep, 'name' | 'ok' | 'summary'> = {}): void {
    this.report.steps.push({ name, ok: true, summary, ...extra });
  }

  skip(name: VerifyStepName, summary: string): void {
    this.report.steps.push({ name, ok: true, skipped: true, summary });
  }

  /** Record the failure of stage `name`; later stages never run. */
  fail(name: VerifyStepName, error: CnabTrustError, checks?: string[]): VerifyReport {
    this.report.steps.push({ name, ok: false, summary: error.message, ...(checks ? { checks } : {}) });
    this.report.error = error.toJSON();
    this.report.verified = false;
    return this.report;
  }

  succeed(): VerifyReport {
    this.report.verified = true;
    return this.report;
  }
}

/**
 * The human report: one line per stage (ok / skip / FAIL, the name, what came out), the checks under it, and on
 * failure the reason, the subject and a hint; the verdict last.
 */
export function formatVerifyReport(report: VerifyReport, options: { checks?: boolean } = {}): string {
  const lines: string[] = [`verify ${report.source}` + (report.target ? ` against signed target ${report.target.name}` : '')];
  for (const step of report.steps) {
    const mark = !step.ok ? 'FAIL' : step.skipped ? 'skip' : 'ok  ';
    // a failed stage's summary is the error message, printed once below as the reason
    lines.push(`  ${mark} ${step.name.padEnd(10)} ${step.ok ? step.summary : `[${report.error?.code ?? 'failed'}]`}`);
    if (options.checks !== false && step.ok) for (const c of step.checks ?? []) lines.push(`         - ${c}`);
  }
  for (const w of report.warnings) lines.push(`  warning: ${w}`);
  if (report.error) {
    lines.push(`  reason:  [${report.error.code}] ${report.error.message}`);
    if (report.error.subject !== undefined) lines.push(`  subject: ${report.error.subject}`);
    if (report.error.hint !== undefined) lines.push(`  hint:    ${report.error.hint}`);
  }
  lines.push(
    report.verified
      ? `VERIFIED: ${report.target?.name ?? report.source}${report.digest ? ` (${report.digest})` : ''}`
      : `NOT VERIFIED: do not install ${report.source}`,
  );
  return lines.join('\n');
}
