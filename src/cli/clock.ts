/** The `--now` flag: a fixed clock for checks that depend on the time (expiry), e.g. to audit a past state. */
import { CnabTrustError } from '../core/errors.js';

export function parseNow(text: string): () => Date {
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new CnabTrustError('E_USAGE', 'invalid --now time (use ISO 8601)', { subject: text });
  return () => new Date(t);
}
