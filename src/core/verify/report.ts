/**
 * The verification report of `cnab-trust verify` (CNAB-Sec 303): a stable, documented shape that `--json` prints
 * and CI keeps. The verifier adds one step per stage in the order it ran them and stops at the first failure.
 *
 *   { "verified": bool, "target": {...} | null, "digest": "sha256:..." | null,
 *     "steps": [{ "name", "ok", "summary", "checks"?, "skipped"?, "details"? }],
 *     "warnings": [...], "error"?: { "code", "message", "subject", "hint"? } }
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
  target: VerifiedTarget | null;
  digest: string | null;
  steps: VerifyStep[];
  warnings: string[];
  error?: VerifyReportError;
}

/** Builds a report as the verifier runs; `fail` records the first failure and closes the report. */
export class VerifyReportBuilder {
  private readonly report: VerifyReport = { verified: false, target: null, digest: null, steps: [], warnings: [] };

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
