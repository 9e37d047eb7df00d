/**
 * The TUF-client flags of `tuf get` and `verify` come from one builder (cli/tuf-client-flags.ts): the same flags
 * and check in both, the same workflow options; what differs (`--metadata`, which an exported .tgz carries) stays
 * in each command.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import tuf from '../../../src/cli/commands/tuf.js';
import verify from '../../../src/cli/commands/verify.js';
import { tufClientOptions, type TufClientFlags } from '../../../src/cli/tuf-client-flags.js';
import { parseCommand } from '../../helpers/cli-parse.js';

const COMMANDS: [string, CommandModule, string[]][] = [
  ['tuf get', tuf as CommandModule, ['tuf', 'get', 'example.com/org/app:1']],
  ['verify', verify as CommandModule, ['verify', 'example.com/org/app:1']],
];

describe('cli TUF-client flags shared by tuf get and verify', () => {
  it('tufClientOptions names the flags as the workflows do; --now becomes a fixed clock', async () => {
    const o = await tufClientOptions({
      'trusted-root': 'root.json',
      metadata: 'metadata',
      'targets-url': 'targets',
      cache: 'cache',
      now: '2030-01-02T03:04:05Z',
    });
    assert.deepEqual({ ...o, now: o.now?.().toISOString() }, {
      trustedRootPath: 'root.json',
      metadata: 'metadata',
      targets: 'targets',
      cacheDir: 'cache',
      now: '2030-01-02T03:04:05.000Z',
    });
    assert.deepEqual(await tufClientOptions({ map: 'map.json', 'trusted-roots': 'roots', cache: false }), { map: 'map.json', trustedRootsDir: 'roots' });
    assert.deepEqual(await tufClientOptions({}), {});
    await assert.rejects(tufClientOptions({ now: 'yesterday' }), { code: 'E_USAGE' });
  });

  it('without --cache the trusted metadata persists under $XDG_CACHE_HOME/cnab-trust/tuf; --no-cache keeps none', async () => {
    const mapped = await tufClientOptions({ map: 'map.json', 'trusted-roots': 'roots' });
    assert.ok(mapped.cacheDir?.startsWith(path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'cnab-trust', 'tuf')), mapped.cacheDir);
    assert.equal((await tufClientOptions({ map: 'map.json', 'trusted-roots': 'roots', cache: false })).cacheDir, undefined);
  });

  for (const [name, command, base] of COMMANDS) {
    describe(name, () => {
      it('takes every TUF-client flag', async () => {
        const flags: TufClientFlags = { 'trusted-root': 'root.json', metadata: 'm', 'targets-url': 't', cache: 'c', now: '2030-01-01T00:00:00Z' };
        const args = await parseCommand(command, [...base, ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])]);
        for (const [k, v] of Object.entries(flags)) assert.equal(args[k], v, k);
        const mapped = await parseCommand(command, [...base, '--map', 'map.json', '--trusted-roots', 'roots']);
        assert.equal(mapped['map'], 'map.json');
        assert.equal(mapped['trusted-roots'], 'roots');
      });

      it('refuses --map without --trusted-roots, and no trusted root at all', async () => {
        await assert.rejects(parseCommand(command, [...base, '--map', 'map.json']), /--map needs --trusted-roots DIR/);
        await assert.rejects(parseCommand(command, [...base, '--metadata', 'm']), /give --trusted-root root\.json/);
      });

      it('takes a cache of trusted metadata instead of --trusted-root', async () => {
        const args = await parseCommand(command, [...base, '--metadata', 'm', '--cache', 'c']);
        assert.equal(args['cache'], 'c');
      });
    });
  }

  it('keeps the checks that differ in the commands: tuf get needs --metadata and no repository flag with --map', async () => {
    const [, get, getBase] = COMMANDS[0]!;
    await assert.rejects(parseCommand(get, [...getBase, '--trusted-root', 'root.json']), /give --metadata/);
    await assert.rejects(parseCommand(get, [...getBase, '--map', 'map.json', '--trusted-roots', 'r', '--metadata', 'm']), /--map takes the repositories from the map file/);
    // verify: an exported .tgz carries its metadata, so the command line may leave it out
    const [, ver, verBase] = COMMANDS[1]!;
    const args = await parseCommand(ver, [...verBase, '--trusted-root', 'root.json']);
    assert.equal(args['metadata'], undefined);
  });
});
