/**
 * The README and docs/ stay true to the code: the README's first lines are the two set-up commands, it stays a
 * short front door whose who-does-what table names every top-level command, docs/errors.md lists every code of
 * src/core/errors.ts with the exit status the CLI gives it, and every relative link in README.md and docs/ leads to
 * a file (and to a heading or anchor there, when it names one). The command reference (docs/commands.md) has its
 * own test: commands.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { COMMAND_WORDS } from '../../../src/cli/command-words.js';
import { CnabTrustError, ERROR_CODES, exitStatusOf } from '../../../src/core/errors.js';
import { repoRoot } from '../../helpers/paths.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

/** The text of section `## title` of a markdown document, up to the next `## `. */
function section(doc: string, file: string, title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `${file} has no section "## ${title}"`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** README.md and every markdown file under docs/, relative to the repository root. */
function markdownFiles(): string[] {
  const out = ['README.md'];
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(repoRoot, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.md')) out.push(r);
    }
  };
  walk('docs');
  return out;
}

/** The anchors a markdown file offers: GitHub's slugs of its headings and explicit `<a id="...">`. */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    );
  }
  for (const m of text.matchAll(/<a id="([^"]+)"><\/a>/g)) out.add(m[1]!);
  return out;
}

describe('README and docs/', () => {
  it('README starts with the two set-up commands: the demo, then every test', () => {
    const block = /^# cnab-trust\n\n```sh\n(.*)\n(.*)\n```\n/.exec(readme);
    assert.ok(block, 'a sh block of two lines right under the title');
    assert.match(block[1]!, /^npm ci && npm run demo\s+#/);
    assert.match(block[2]!, /^npm test\s+#/);
  });

  it('README is a front door: at most 8 KB', () => {
    const size = Buffer.byteLength(readme);
    assert.ok(size <= 8192, `README.md is ${size} bytes; move detail into docs/`);
  });

  it("README's who-does-what table names every top-level command", () => {
    const table = section(readme, 'README.md', 'Who does what');
    const modules = readdirSync(path.join(repoRoot, 'src/cli/commands'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3));
    for (const word of new Set([...COMMAND_WORDS, ...modules])) {
      assert.match(table, new RegExp('`' + word + '[ `]'), `command ${word} missing from README's "Who does what"`);
    }
  });

  it('docs/errors.md lists every error code once, with the exit status of its category', () => {
    const errors = readFileSync(path.join(repoRoot, 'docs/errors.md'), 'utf8');
    const rows = new Map<string, number>();
    for (const m of section(errors, 'docs/errors.md', 'Error codes').matchAll(/^\| `(E_[A-Z0-9_]+)` \| (\d) \|/gm)) {
      assert.ok(!rows.has(m[1]!), `${m[1]} listed twice`);
      rows.set(m[1]!, Number(m[2]));
    }
    for (const code of ERROR_CODES) {
      assert.ok(rows.has(code), `${code} is not in the Error codes table of docs/errors.md`);
      assert.equal(rows.get(code), exitStatusOf(new CnabTrustError(code, 'x')), `exit status of ${code}`);
    }
    for (const code of rows.keys()) assert.ok((ERROR_CODES as readonly string[]).includes(code), `${code} is not a code in src/core/errors.ts`);
  });

  it('every relative link in README.md and docs/ leads to an existing file, and to an existing anchor', () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      const text = readFileSync(path.join(repoRoot, file), 'utf8');
      // links in code are not links
      const prose = text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '``');
      for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        const href = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // https:, mailto:
        const [target, fragment] = href.split('#') as [string, string | undefined];
        const resolved = target === '' ? path.join(repoRoot, file) : path.resolve(repoRoot, path.dirname(file), target);
        if (!resolved.startsWith(repoRoot + path.sep) || !existsSync(resolved) || !statSync(resolved).isFile()) {
          broken.push(`${file}: ${href} (no such file)`);
          continue;
        }
        if (fragment !== undefined && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(fragment)) {
          broken.push(`${file}: ${href} (no such heading or anchor)`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it("docs/guides/ci.md names every input and output of the GitHub Action (action.yml)", () => {
    const action = readFileSync(path.join(repoRoot, 'action.yml'), 'utf8');
    const guide = section(readFileSync(path.join(repoRoot, 'docs/guides/ci.md'), 'utf8'), 'docs/guides/ci.md', 'The GitHub Action');
    for (const block of ['inputs', 'outputs']) {
      const body = new RegExp(`^${block}:\\n((?: {2}.*\\n|\\n)*)`, 'm').exec(action)?.[1] ?? '';
      const names = [...body.matchAll(/^ {2}([a-z][a-z0-9-]*):/gm)].map((m) => m[1]!);
      assert.ok(names.length > 0, `action.yml has ${block}`);
      for (const name of names) assert.ok(guide.includes('`' + name + '`'), `action ${block.slice(0, -1)} ${name} is not in docs/guides/ci.md`);
    }
  });

  it('every source, test, script or bench file README.md and docs/ name in code (`src/...ts`) exists', () => {
    const missing: string[] = [];
    for (const file of markdownFiles()) {
      const text = readFileSync(path.join(repoRoot, file), 'utf8');
      for (const m of text.matchAll(/`((?:src|test|scripts|bench)\/[A-Za-z0-9@+._/-]+\.(?:ts|mjs|cjs|sh|py|json|md))`/g)) {
        if (!existsSync(path.join(repoRoot, m[1]!))) missing.push(`${file}: ${m[1]}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
