/**
 * One attack of the attack suite: the threat, whether it held before issue 11 or was fixed by it, and the test that
 * runs it (a file under test/, and a string of the test's title as written there). Each class lists its attacks in
 * its own file beside this one; `test/attacks/catalog.test.ts` checks that every listed test exists and that
 * SECURITY.md's threat map names every class file.
 */
export interface Attack {
  threat: string;
  /** 'held': refused before issue 11; 'fixed': refused since (the issue item). */
  status: 'held' | `fixed (issue 11.${number})`;
  /** Path from the repository root. */
  file: string;
  /** A string the test's title contains, literally in the file. */
  test: string;
}

export type AttackClass = 'tuf' | 'bundle' | 'archive' | 'relocation' | 'registry' | 'in-toto' | 'local';
