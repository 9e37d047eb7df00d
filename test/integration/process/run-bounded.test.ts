import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBounded } from '../../../src/adapters/process/run-bounded.js';
import { ScratchInspectionRunner } from '../../../src/adapters/intoto/inspection-runner.js';
import { CnabTrustError } from '../../../src/core/errors.js';

describe('adapters/process: bounded commands for in-toto inspections', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-run-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs without a shell, in the given directory, with a scrubbed environment', async () => {
    const r = await runBounded(['echo', '$HOME', '*'], { cwd: dir });
    assert.equal(r.stdout, '$HOME *\n');
    assert.equal(r.returnValue, 0);
    process.env['CNAB_TRUST_SECRET_FOR_TEST'] = 'x';
    try {
      const env = await runBounded(['env'], { cwd: dir });
      assert.doesNotMatch(env.stdout, /CNAB_TRUST_SECRET_FOR_TEST/);
      assert.match(env.stdout, /^PATH=/m);
    } finally {
      delete process.env['CNAB_TRUST_SECRET_FOR_TEST'];
    }
    const pwd = await runBounded(['pwd'], { cwd: dir });
    assert.equal(pwd.stdout.trim(), path.resolve(dir));
  });

  it('kills a command at the timeout and bounds its output', async () => {
    const slow = await runBounded(['sleep', '3600'], { cwd: dir, timeoutMs: 200 });
    assert.equal(slow.timedOut, true);
    assert.equal(slow.returnValue, null);
    const loud = await runBounded(['head', '-c', '3000000', '/dev/zero'], { cwd: dir, maxOutputBytes: 1000 });
    assert.equal(loud.stdout.length, 1000);
    assert.equal(loud.truncated, true);
    assert.equal(loud.returnValue, 0);
  });

  it('reports a command that cannot start as E_INTOTO_INSPECTION', async () => {
    await assert.rejects(runBounded(['/nonexistent/cmd'], { cwd: dir }), (e: unknown) => e instanceof CnabTrustError && e.code === 'E_INTOTO_INSPECTION');
    await assert.rejects(runBounded([], { cwd: dir }), (e: unknown) => e instanceof CnabTrustError && e.code === 'E_INTOTO_INSPECTION');
  });

  it('runs inspections in a scratch copy: records . before and after, leaves the working directory alone', async () => {
    writeFileSync(path.join(dir, 'a.txt'), 'a');
    writeFileSync(path.join(dir, 'step.12345678.link'), '{}');
    const runner = new ScratchInspectionRunner({ workDir: dir });
    try {
      const link = await runner.run({ _type: 'inspection', expected_materials: [], expected_products: [], name: 'touch', run: ['touch', 'b.txt'] });
      assert.deepEqual(Object.keys(link.materials), ['a.txt'], 'links are excluded (*.link*), as 1.3.1 records');
      assert.deepEqual(Object.keys(link.products).sort(), ['a.txt', 'b.txt']);
      assert.equal(link.byproducts['return-value'], 0);
      assert.equal(existsSync(path.join(dir, 'b.txt')), false);
      // a second inspection sees the first one's products, as in place
      const second = await runner.run({ _type: 'inspection', expected_materials: [], expected_products: [], name: 'ls', run: ['ls'] });
      assert.deepEqual(Object.keys(second.materials).sort(), ['a.txt', 'b.txt']);
    } finally {
      runner.dispose();
    }
    const small = new ScratchInspectionRunner({ workDir: dir, maxEntries: 1 });
    await assert.rejects(
      small.run({ _type: 'inspection', expected_materials: [], expected_products: [], name: 'ls', run: ['ls'] }),
      (e: unknown) => e instanceof CnabTrustError && e.code === 'E_INTOTO_INSPECTION' && /too large/.test(e.message),
    );
    small.dispose();
  });
});
