/**
 * The `intoto verify` fast path (no yargs): it takes only plain flag forms and leaves everything else to yargs,
 * so help and usage errors are yargs' own.
 */
import assert from 'node:assert/strict';
import { fastPath } from '../../../src/cli/commands/intoto.js';

describe('cli intoto verify fast path', () => {
  it('takes the plain flag forms', () => {
    for (const argv of [
      ['verify', '--layout', 'root.layout', '--layout-keys', 'alice.pub'],
      ['verify', '--layout-keys', 'a.pub', 'b.pub', '--layout', 'l', '--links', 'links/', '--no-inspections', '--json'],
      ['verify', '--layout', 'l', '--layout-keys', 'k', '--quiet', '--debug', '--inspections'],
    ]) {
      assert.equal(typeof fastPath(argv), 'function', argv.join(' '));
    }
  });

  it('leaves help, other forms, unknown, repeated and missing flags to yargs', () => {
    for (const argv of [
      ['keygen', 'alice'],
      ['verify'],
      ['verify', '--help'],
      ['verify', '--layout', 'l', '--layout-keys', 'k', '-h'],
      ['verify', '--layout=l', '--layout-keys', 'k'],
      ['verify', '--layout', 'l'],
      ['verify', '--layout-keys', 'k', '--links', '.'],
      ['verify', '--layout', 'l', '--layout-keys'],
      ['verify', '--layout', '--layout-keys', 'k'],
      ['verify', '--layout', 'l', '--layout-keys', 'k', '--layout', 'm'],
      ['verify', '--layout', 'l', '--layout-keys', 'k', '--inspections', '--no-inspections'],
      ['verify', '--layout', 'l', '--layout-keys', 'k', '--inspection-timeout', '5'],
      ['verify', '--layout', 'l', '--layout-keys', 'k', '--json', 'true'],
      ['verify', '--layout-keys', 'k', '--layout', 'l', 'extra'],
      ['verify', '--layout', 'l', '--layout-keys', 'k', '--bogus'],
      ['verify', '--layout', '', '--layout-keys', 'k'],
    ]) {
      assert.equal(fastPath(argv), undefined, argv.join(' '));
    }
  });
});
