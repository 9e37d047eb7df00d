import assert from 'node:assert/strict';
import { exampleLines, helpWidth } from '../../../src/cli/help-layout.js';
import { describeUnknown, editDistance, nearestFlag, unknownArgumentNames } from '../../../src/cli/unknown-flags.js';

describe('cli help layout', () => {
  it('takes the width from a terminal, else $COLUMNS, else 100', () => {
    assert.equal(helpWidth({ isTTY: true, columns: 123 }, { COLUMNS: '80' }), 123);
    assert.equal(helpWidth({ isTTY: false, columns: 123 }, { COLUMNS: '80' }), 80);
    assert.equal(helpWidth({}, {}), 100);
    assert.equal(helpWidth({}, { COLUMNS: 'wide' }), 100);
  });

  it('breaks an example between words, keeps a flag with its value, and continues with a backslash', () => {
    const cmd = 'cnab-trust verify mirror.local/org/app:1.0.0 --target example.com/org/app:1.0.0 --trusted-root root.json --json';
    const lines = exampleLines(cmd, 'a relocated copy and its relocated images', 40);
    assert.deepEqual(lines, [
      '# a relocated copy and its relocated',
      '# images',
      'cnab-trust verify \\',
      '    mirror.local/org/app:1.0.0 \\',
      '    --target example.com/org/app:1.0.0 \\',
      '    --trusted-root root.json --json',
    ]);
    assert.deepEqual(exampleLines('cnab-trust digest b.json', '', 40), ['cnab-trust digest b.json']);
  });
});

describe('cli unknown flags', () => {
  it('reads yargs message, measures distance with transpositions', () => {
    assert.deepEqual(unknownArgumentNames('Unknown arguments: trust-root, trustRoot'), ['trust-root', 'trustRoot']);
    assert.deepEqual(unknownArgumentNames('Unknown argument: x'), ['x']);
    assert.equal(unknownArgumentNames('Missing required argument: bundle'), undefined);
    assert.equal(editDistance('metdata', 'metadata'), 1);
    assert.equal(editDistance('jsno', 'json'), 1);
    assert.equal(nearestFlag('trust-root', ['trusted-root', 'trusted-roots', 'target']), 'trusted-root');
    assert.equal(nearestFlag('trusted', ['trusted-root', 'json']), 'trusted-root');
    assert.equal(nearestFlag('zzzz', ['json', 'quiet']), undefined);
  });

  it('names each unknown flag once, as typed, with its did-you-mean; stray words stay', () => {
    const r = describeUnknown(['trust-root', 'trustRoot', 'extra'], ['verify', 'b', '--trust-root=r', 'extra'], ['trusted-root', 'trustedRoot', 'json']);
    assert.equal(r.message, 'unknown arguments: --trust-root, extra');
    assert.equal(r.hint, '--trust-root: did you mean --trusted-root?');
    const q = describeUnknown(['Q'], ['verify', '-Q'], ['quiet', 'V']);
    assert.equal(q.message, 'unknown flag: -Q');
  });
});
