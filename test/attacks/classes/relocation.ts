/** Attack class "relocation": relocated images (CNAB 103 mappings) that do not hold the signed bytes. */
import type { Attack } from './attack.js';

const R = 'test/attacks/relocation.test.ts';

export const attacks: Attack[] = [
  { threat: 'by tag: HEAD claims the signed digest, GET serves other bytes', status: 'fixed (issue 11.2)', file: R, test: 'by tag: HEAD claims the signed digest, GET serves other bytes' },
  { threat: 'by tag: GET without a digest header serves other bytes', status: 'fixed (issue 11.2)', file: R, test: 'by tag: GET without any digest header serves other bytes' },
  { threat: 'by digest: HEAD claims the signed digest, GET serves other bytes', status: 'fixed (issue 11.2)', file: R, test: 'by digest: HEAD claims the signed digest, GET serves other bytes' },
  { threat: 'an endless relocated manifest', status: 'held', file: R, test: 'an endless manifest is not read past the bound' },
];
