#!/usr/bin/env node
// Benchmark for tuf-js-models-linear-maps.diff: time to read (fromJSON) and write (toJSON) a targets role with
// N targets and a snapshot with N meta entries, with the @tufjs/models found at the path given (default: the one
// `require` finds). Run it against the published package and against a build with the patch:
//   node bench-role-maps.cjs node_modules/@tufjs/models          # e.g. 4.1.1 as published
//   node bench-role-maps.cjs packages/models                      # tuf-js checkout with the patch, after build
'use strict';
const path = require('node:path');
const { Targets, Snapshot } = require(process.argv[2] ? path.resolve(process.argv[2]) : '@tufjs/models');

const common = { spec_version: '1.0.31', version: 1, expires: '2030-01-01T00:00:00Z' };
const sizes = (process.argv[3] ?? '1000,5000,10000,20000,100000').split(',').map(Number);
const hex = (i) => i.toString(16).padStart(64, '0');

function best(fn, runs = 3) {
  let ms = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return ms;
}

let last;
for (const n of sizes) {
  const targets = {};
  const meta = {};
  for (let i = 0; i < n; i++) {
    targets[`example.com/org/app:v${i}`] = { length: i, hashes: { sha256: hex(i) }, custom: { version: `0.${i}.0` } };
    meta[`bins-${i}.json`] = { version: 1 };
  }
  const tJson = { _type: 'targets', ...common, targets };
  const sJson = { _type: 'snapshot', ...common, meta };
  // skip what would take minutes: the published (quadratic) code takes that from about 5,000 entries on
  const estimate = last === undefined ? 0 : last.ms * (n / last.n) ** 2;
  if (estimate > 30_000) {
    console.log(`N=${n}: skipped (would take about ${(estimate / 1000).toFixed(0)} s)`);
    continue;
  }
  let parsed;
  const read = best(() => (parsed = Targets.fromJSON(tJson)));
  const write = best(() => parsed.toJSON());
  const snap = best(() => Snapshot.fromJSON(sJson));
  last = { n, ms: read + write + snap };
  console.log(`N=${String(n).padStart(6)}  Targets.fromJSON ${read.toFixed(1).padStart(9)} ms  toJSON ${write.toFixed(1).padStart(9)} ms  Snapshot.fromJSON ${snap.toFixed(1).padStart(9)} ms`);
}
