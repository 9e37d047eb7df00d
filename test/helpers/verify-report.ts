/** Assertions on `cnab-trust verify` reports shared by the end-to-end tests. */
import assert from 'node:assert/strict';
import type { VerifyReport } from '../../src/core/verify/report.js';

/** The report verified, and its stages ran in CNAB-Sec 303 order; `skipped` names the stages that did not apply. */
export function assertVerified(report: VerifyReport, skipped: readonly string[] = []): void {
  assert.equal(report.verified, true, JSON.stringify(report.error));
  assert.deepEqual(
    report.steps.map((s) => [s.name, s.ok, s.skipped ?? false]),
    ['tuf', 'bundle', 'images', 'relocation', 'in-toto'].map((name) => [name, true, skipped.includes(name)]),
  );
  assert.equal(report.error, undefined);
}
