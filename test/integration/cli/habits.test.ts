/**
 * What users of cosign, skopeo and crane take for granted (issue 13 item 4): --version/-V, shell completion for bash
 * and zsh, help at the terminal's width with whole examples, a did-you-mean for mistyped flags, and the
 * CNAB_TRUST_TRUSTED_ROOT / CNAB_TRUST_METADATA environment variables.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/fixtures.js';
import { runCliIn, type CliRun } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { TufTestRepo } from '../../helpers/tuf-repo.js';

const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const bin = path.join(repoRoot, 'dist/src/cli/cnab-trust.cjs');

function cli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const clean = { ...process.env };
  delete clean['CNAB_TRUST_TRUSTED_ROOT'];
  delete clean['CNAB_TRUST_METADATA'];
  return runCliIn(repoRoot, args, { ...clean, ...env });
}

/** The Examples section of a help text, continuation lines joined: one string per command. */
function exampleCommands(help: string): string[] {
  const section = help.slice(help.indexOf('Examples:\n') + 'Examples:\n'.length);
  const out: string[] = [];
  let current = '';
  for (const raw of section.split('\n')) {
    const line = raw.trim();
    if (line === '') break; // the end of the section
    if (line.startsWith('#')) continue;
    current += (current === '' ? '' : ' ') + line.replace(/ \\$/, '');
    if (!line.endsWith(' \\')) {
      out.push(current);
      current = '';
    }
  }
  return out;
}

describe('cli habits', () => {
  it('--version and -V print the package version', () => {
    for (const flag of ['--version', '-V']) {
      const r = cli([flag]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${version}\n`);
    }
  });

  it('completion bash: the script completes commands and flags through the CLI', function () {
    this.timeout(120_000);
    const t = makeTempDir();
    try {
      symlinkSync(bin, path.join(t.dir, 'cnab-trust'));
      const script = cli(['completion', 'bash']);
      assert.equal(script.status, 0, script.stderr);
      const complete = (words: string[]): string[] => {
        const r = spawnSync('bash', ['-c', `${script.stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _cnab_trust_completions; printf '%s\\n' "\${COMPREPLY[@]}"`], {
          encoding: 'utf8',
          env: { ...process.env, PATH: `${t.dir}:${process.env['PATH'] ?? ''}` },
        });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout.split('\n').filter((l) => l !== '');
      };
      assert.ok(complete(['cnab-trust', 'verif']).includes('verify'));
      assert.deepEqual(complete(['cnab-trust', 'verify', '--trusted-r']).sort(), ['--trusted-root', '--trusted-roots']);
      assert.ok(complete(['cnab-trust', 'relocation', '']).includes('check'));
    } finally {
      t.remove();
    }
  });

  it('completion zsh: a compdef script; another shell is a usage error', () => {
    const zsh = cli(['completion', 'zsh']);
    assert.equal(zsh.status, 0, zsh.stderr);
    assert.match(zsh.stdout, /^#compdef cnab-trust\n/);
    assert.match(zsh.stdout, /--get-yargs-completions/);
    if (spawnSync('zsh', ['--version']).status === 0) assert.equal(spawnSync('zsh', ['-n'], { input: zsh.stdout }).status, 0);
    assert.match(cli(['completion'], { SHELL: '/usr/bin/zsh' }).stdout, /^#compdef/);
    assert.match(cli(['completion', '--help']).stdout, /^cnab-trust completion \[bash\|zsh\]\n/);
    const fish = cli(['completion', 'fish']);
    assert.equal(fish.status, 2);
    assert.match(fish.stderr, /error\[E_USAGE\]: no completion for the shell 'fish'/);
  });

  it('--help fits the width ($COLUMNS off a terminal) and never breaks an example inside a word', function () {
    this.timeout(300_000); // one process per command
    const commands = readdirSync(path.join(repoRoot, 'src/cli/commands')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
    for (const width of [60]) {
      for (const cmd of commands) {
        const r = cli([cmd, '--help'], { COLUMNS: String(width) });
        assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
        for (const line of r.stdout.split('\n')) {
          // a line may only be wider than the width when it is a single flag with its value
          if (line.length > width) assert.match(line.trim(), /^--\S+ \S+( \\)?$|^\S+( \\)?$/, `${cmd} at ${width}: ${line}`);
        }
        // descriptions are wrapped between words (yargs' ESM build cut them anywhere: 'J' / 'SON')
        assert.doesNotMatch(r.stdout, /print the full machine-readable report as J\s*\n/, `${cmd} at ${width}`);
        if (!r.stdout.includes('Examples:')) continue;
        const source = readFileSync(path.join(repoRoot, 'src/cli/commands', `${cmd}.ts`), 'utf8');
        const words = new Set([...source.matchAll(/'\$0 ([^']+)'/g)].flatMap((m) => m[1]!.split(' ')));
        for (const c of exampleCommands(r.stdout)) {
          for (const w of c.split(' ').slice(1)) assert.ok(words.has(w), `${cmd} at ${width}: '${w}' is not a word of an example (broken?) in: ${c}`);
        }
      }
    }
  });

  it('a mistyped flag: did you mean, named once as typed (no camelCase copy)', () => {
    const r = cli(['verify', 'bundle.json', '--trust-root', 'root.json', '--metdata', 'm/']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error\[E_USAGE\]: unknown flags: --trust-root, --metdata \(command line\)\n/);
    assert.match(r.stderr, /hint: --trust-root: did you mean --trusted-root\?; --metdata: did you mean --metadata\?/);
    assert.doesNotMatch(r.stderr, /trustRoot/);
    const j = cli(['digest', 'x.json', '--jsn']);
    assert.equal(j.status, 2);
    assert.match(j.stderr, /unknown flag: --jsn \(command line\)\n {2}hint: --jsn: did you mean --json\?/);
    const far = cli(['digest', 'x.json', '--zzzzzz']);
    assert.match(far.stderr, /unknown flag: --zzzzzz/);
    assert.doesNotMatch(far.stderr, /did you mean/);
  });

  it('CNAB_TRUST_TRUSTED_ROOT and CNAB_TRUST_METADATA stand for --trusted-root and --metadata; a flag wins', () => {
    const t = makeTempDir();
    try {
      const repo = new TufTestRepo(path.join(t.dir, 'repo'));
      const name = `${repo.gun}:1.0.0`;
      repo.addTarget(name, Buffer.from('{"name":"b","version":"1.0.0"}'));
      repo.writeRoot();
      repo.publish();
      const root = path.join(repo.dir, '1.root.json');
      const env = { CNAB_TRUST_TRUSTED_ROOT: root, CNAB_TRUST_METADATA: repo.dir };
      const ok = cli(['tuf', 'get', name, '--json'], env);
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal((JSON.parse(ok.stdout) as { target: { length: number } }).target.length, 30);
      // without them: the usage error that names the flag
      const none = cli(['tuf', 'get', name]);
      assert.equal(none.status, 2);
      assert.match(none.stderr, /give --(trusted-root|metadata)/);
      // the flag wins over the variable
      const flag = cli(['tuf', 'get', name, '--metadata', path.join(t.dir, 'nowhere')], env);
      assert.equal(flag.status, 3, flag.stderr);
      assert.match(flag.stderr, /nowhere/);
    } finally {
      t.remove();
    }
  });
});
