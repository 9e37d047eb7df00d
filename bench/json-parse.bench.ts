/**
 * Strict JSON parsing (core/json): our parser, which refuses duplicate keys and bounds size and depth, against
 * `JSON.parse` (V8's native parser, which silently keeps the last duplicate) on the same text, in one run.
 *
 * Two documents: an in-toto link recording 20,000 artifacts (~2.3 MB, many short objects and hex strings, the
 * heaviest JSON the verifier reads) and a TUF targets role with 25,000 bundle targets (~6 MB). Each parse is
 * timed five times after a warm-up; the best counts. Prints MB/s and our time as a multiple of JSON.parse's.
 */
import { performance } from 'node:perf_hooks';
import { parseJson } from '../src/core/json/index.js';

function linkDocument(n: number): string {
  const artifacts: Record<string, { sha256: string }> = {};
  for (let i = 0; i < n; i++) artifacts[`src/module-${i % 97}/file-${i}.ts`] = { sha256: (i.toString(16) + 'ab'.repeat(32)).slice(0, 64) };
  return JSON.stringify({
    signatures: [{ keyid: 'a'.repeat(64), sig: 'b'.repeat(128) }],
    signed: { _type: 'link', name: 'build', command: ['make', 'bundle'], materials: artifacts, products: {}, byproducts: { 'return-value': 0, stdout: '', stderr: '' }, environment: {} },
  });
}

function targetsDocument(n: number): string {
  const targets: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    targets[`example.com/org/app-${i % 50}:1.${i}.0`] = {
      length: 1000 + i,
      hashes: { sha256: (i.toString(16) + 'cd'.repeat(32)).slice(0, 64), sha512: (i.toString(16) + 'ef'.repeat(64)).slice(0, 128) },
      custom: { 'in-toto': [`example.com/org/app/in-toto-metadata/root.layout`] },
    };
  }
  return JSON.stringify({ signed: { _type: 'targets', spec_version: '1.0.31', version: 7, expires: '2030-01-01T00:00:00Z', targets }, signatures: [] }, null, 1);
}

function best(fn: () => unknown, runs = 5): number {
  fn();
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

for (const [name, text] of [
  ['in-toto link, 20,000 artifacts', linkDocument(20_000)],
  ['TUF targets, 25,000 targets', targetsDocument(25_000)],
] as const) {
  const bytes = Buffer.from(text);
  const mb = bytes.length / 1e6;
  const ours = best(() => parseJson(bytes, { maxBytes: 64 << 20 }));
  const native = best(() => JSON.parse(bytes.toString('utf8')));
  process.stdout.write(
    `${name} (${mb.toFixed(1)} MB): strict parser ${ours.toFixed(1)} ms (${(mb / (ours / 1000)).toFixed(0)} MB/s), ` +
      `JSON.parse ${native.toFixed(1)} ms (${(mb / (native / 1000)).toFixed(0)} MB/s): ratio ${(ours / native).toFixed(2)}x JSON.parse's time\n`,
  );
}
