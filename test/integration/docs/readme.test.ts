/**
 * The README stays true to the code: its first lines are the two set-up commands, every top-level command is in
 * the tour, and the Error codes table lists every code of src/core/errors.ts with the exit status the CLI gives it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CnabTrustError, ERROR_CODES, exitStatusOf } from '../../../src/core/errors.js';
import { repoRoot } from '../../helpers/paths.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has no section "## ${title}"`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe('README', () => {
  it('starts with the two set-up commands: the demo, then every test', () => {
    const block = /^# cnab-trust\n\n```sh\n(.*)\n(.*)\n```\n/.exec(readme);
    assert.ok(block, 'a sh block of two lines right under the title');
    assert.match(block[1]!, /^npm ci && npm run demo\s+#/);
    assert.match(block[2]!, /^npm test\s+#/);
  });

  it('the tour names every top-level command', () => {
    const tour = section('Commands');
    const words = readdirSync(path.join(repoRoot, 'src/cli/commands'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3));
    for (const word of words) assert.match(tour, new RegExp('`' + word + '[ `]'), `command ${word} missing from the tour`);
  });

  it('Error codes lists every code once, with the exit status of its category', () => {
    const rows = new Map<string, number>();
    for (const m of section('Error codes').matchAll(/^\| `(E_[A-Z0-9_]+)` \| (\d) \|/gm)) {
      assert.ok(!rows.has(m[1]!), `${m[1]} listed twice`);
      rows.set(m[1]!, Number(m[2]));
    }
    for (const code of ERROR_CODES) {
      assert.ok(rows.has(code), `${code} is not in the README's Error codes table`);
      assert.equal(rows.get(code), exitStatusOf(new CnabTrustError(code, 'x')), `exit status of ${code}`);
    }
    for (const code of rows.keys()) assert.ok((ERROR_CODES as readonly string[]).includes(code), `${code} is not a code in src/core/errors.ts`);
  });
});
