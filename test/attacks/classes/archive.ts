/** Attack class "archive": hostile thick bundles (CNAB 104 .tgz) given to verify and import. */
import type { Attack } from './attack.js';

const A = 'test/attacks/archive.test.ts';
const T = 'test/integration/archive/thick.test.ts';

export const attacks: Attack[] = [
  { threat: 'path traversal: ../ and absolute entry names', status: 'held', file: T, test: 'refuses ../ and absolute entry names' },
  { threat: 'path traversal through the CLI: nothing written outside the extraction directory', status: 'held', file: 'test/integration/e2e/archive-extract.test.ts', test: 'writes nothing outside the directory for a ../ entry' },
  { threat: 'unsafe entries: a symlinked or hard-linked bundle.json, links anywhere, devices', status: 'held', file: T, test: 'refuses a symlinked or hard-linked bundle.json, and links anywhere' },
  { threat: 'two bundle.json entries (readers disagree on which)', status: 'held', file: T, test: 'refuses two bundle.json entries' },
  { threat: 'a name given twice, or as file and directory', status: 'held', file: 'test/integration/e2e/archive-extract.test.ts', test: 'refuses a name given twice' },
  { threat: 'too many entries, an entry or a total too large', status: 'held', file: T, test: 'bounds entry count, entry size, total size and bundle.json size' },
  { threat: 'a ../ entry through the CLI', status: 'held', file: 'test/integration/cnab/cli.test.ts', test: 'archive with a ../ entry -> E_ARCHIVE_UNSAFE' },
  { threat: 'an archive without TUF metadata crashed verify', status: 'fixed (issue 11.4)', file: A, test: 'an archive without TUF metadata and no --metadata is a usage error' },
  { threat: 'gzip bomb: 8 MB wrote 2 GiB to TMPDIR before TUF was consulted', status: 'fixed (issue 11.6)', file: A, test: 'a gzip bomb is refused by its expansion ratio' },
  { threat: 'entries nothing references extracted before TUF', status: 'fixed (issue 11.6)', file: A, test: 'entries nothing references are not written to disk' },
  { threat: 'listener leak (MaxListenersExceededWarning) and unbounded buffering while extracting', status: 'fixed (issue 11.6)', file: A, test: 'a big archive extracts without leaking listeners' },
];
