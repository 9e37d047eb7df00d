/** Attack class "local": the verifier's own machine: OCI layout directories, temporary files, secrets. */
import type { Attack } from './attack.js';

const L = 'test/attacks/local.test.ts';

export const attacks: Attack[] = [
  { threat: 'a FIFO index.json in an oci: layout hung verify', status: 'fixed (issue 11.6)', file: L, test: 'a FIFO index.json is refused, not waited on' },
  { threat: 'a blob symlinked out of an oci: layout was followed', status: 'fixed (issue 11.6)', file: L, test: 'a blob symlinked out of the layout is refused' },
  { threat: 'a blob symlinked to /dev/zero filled memory', status: 'fixed (issue 11.6)', file: L, test: 'a blob symlinked to /dev/zero is refused' },
  { threat: 'temporary directories left behind by a run killed with SIGINT/SIGTERM', status: 'fixed (issue 11.12)', file: L, test: 'while a metadata server stalls leaves no temporary directory' },
  { threat: 'temporary directories of runs killed with SIGKILL never removed', status: 'fixed (issue 11.12)', file: L, test: 'a later run sweeps the directories of runs that are gone' },
  { threat: 'a passphrase leaking into an error message', status: 'held', file: 'test/integration/intoto/key-files.test.ts', test: '(the passphrase is not in the message)' },
  { threat: 'registry passwords on the command line (argv)', status: 'held', file: 'test/integration/oci/registry-client.test.ts', test: '--password-stdin (never argv)' },
  { threat: 'private keys readable by others', status: 'held', file: 'test/integration/tuf-repo/init-sign.test.ts', test: 'private keys are written 0600, the key directory 0700' },
  { threat: 'TUF target file names escaping the download directory', status: 'held', file: 'test/integration/tuf/target-file-name.test.ts', test: 'keeps every name inside the download directory' },
];
