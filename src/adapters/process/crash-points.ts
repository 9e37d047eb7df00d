/**
 * Crash points for the kill -9 test (test/integration/e2e/kill-loop.test.ts): named places in the write path
 * (after a temp file is durable, after it is renamed into place, between the pipeline's stages). Inert unless the
 * test sets, in the child's environment:
 *  - CNAB_TRUST_TEST_CRASH_LOG=<file>: append each point's name to the file (to count the points of a run);
 *  - CNAB_TRUST_TEST_CRASH_AT=<n>: at the n-th point, the process kills itself with SIGKILL (no cleanup, no
 *    finally blocks, no exit handlers: what a power cut or the OOM killer does).
 * Deterministic: a run passes the same points in the same order whatever the load, so no test depends on timing.
 */
import { appendFileSync } from 'node:fs';

const crashAt = Number(process.env['CNAB_TRUST_TEST_CRASH_AT'] ?? '0');
const crashLog = process.env['CNAB_TRUST_TEST_CRASH_LOG'];
let passed = 0;

export function crashPoint(name: string): void {
  if (crashLog === undefined && !(crashAt > 0)) return;
  passed++;
  if (crashLog !== undefined) appendFileSync(crashLog, `${passed} ${name}\n`);
  if (passed === crashAt) process.kill(process.pid, 'SIGKILL');
}
