/** Attack class "in-toto": hostile supply-chain metadata reaching verify through TUF. */
import type { Attack } from './attack.js';

const I = 'test/attacks/in-toto.test.ts';
const E2E = 'test/integration/e2e/verify-file.test.ts';

const G = 'test/attacks/intoto-downgrade.test.ts';

export const attacks: Attack[] = [
  { threat: 'an untrusted layout: signed by targets/releases, not targets', status: 'held', file: E2E, test: 'a root layout signed by targets/releases, not targets' },
  { threat: 'an untrusted layout key: signed by targets/releases, not targets', status: 'held', file: E2E, test: 'a layout key signed by targets/releases, not targets' },
  { threat: 'a layout signed by another key than the one targets lists', status: 'held', file: E2E, test: 'a layout signed by another key than the one targets lists' },
  { threat: 'an expired layout', status: 'held', file: 'test/unit/intoto/bad-input.test.ts', test: 'E_INTOTO_LAYOUT_EXPIRED' },
  { threat: 'a link removed', status: 'held', file: E2E, test: 'a link removed: E_INTOTO_LINK_NOT_FOUND' },
  { threat: 'a supply chain that produced another bundle', status: 'held', file: E2E, test: 'a supply chain that produced another bundle' },
  { threat: 'an unsigned link with a 300-byte product name crashed verify', status: 'fixed (issue 11.4)', file: I, test: 'with a 300-byte product never reaches the file system' },
  { threat: 'an unsigned link with a NUL in a product name reached the file system', status: 'fixed (issue 11.4)', file: I, test: 'with a NUL in its product never reaches the file system' },
  { threat: "a functionary's sublayout inspection ran its command on the verifier", status: 'fixed (issue 11.5)', file: I, test: "a functionary's sublayout inspection does not run without --sublayout-inspections" },
  { threat: 'an inspection reading secrets from the environment', status: 'held', file: I, test: 'see a scrubbed environment' },
  { threat: 'an inspection writing outside its scratch directory', status: 'fixed (issue 11.5)', file: I, test: 'cannot write outside their scratch directory' },
  { threat: 'an inspection reaching the network', status: 'fixed (issue 11.5)', file: I, test: 'cannot reach the network, not even loopback' },
  { threat: 'huge links signed by nobody (16 x 60 MB took 131 s, 2.9 GB)', status: 'fixed (issue 11.6)', file: I, test: 'links no authorized functionary could have written are never downloaded' },
  { threat: 'too many links listed', status: 'fixed (issue 11.6)', file: I, test: 'a target listing more than 1,000 links is refused' },
  { threat: "an authorized functionary's link over the budget", status: 'fixed (issue 11.6)', file: I, test: 'larger than the budget is refused by its signed length' },
  { threat: 'the online releases key switches in-toto off by dropping custom.in-toto', status: 'fixed (issue 11.1)', file: G, test: 'with the policy signed by targets: E_INTOTO_REQUIRED' },
  { threat: 'a policy listed by the releases key instead of targets', status: 'fixed (issue 11.1)', file: G, test: 'a policy listed by targets/releases instead of targets does not count' },
];
