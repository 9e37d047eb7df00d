/**
 * Loaded by mocha before any test (`.mocharc.json` `require`): the CLI keeps trusted TUF metadata in
 * `$XDG_CACHE_HOME/cnab-trust/tuf/` by default, so the suite points XDG_CACHE_HOME (inherited by every CLI the
 * tests spawn) at a temporary directory of its own and removes it at the end, never touching the user's cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-test-xdg-cache-'));
process.env.XDG_CACHE_HOME = dir;

export const mochaHooks = {
  afterAll(): void {
    rmSync(dir, { recursive: true, force: true });
  },
};
