/**
 * Small random in-toto supply chains for differential testing against the python reference: a deterministic
 * generator (a seeded PRNG) of layouts with 1-3 steps and random artifact rules over a small universe of paths,
 * and links with random materials and products; written with our own signing (`signMetadata`,
 * `metadataFileText`) and the reference fixtures' keys. A case is plain data, so a difference found at random
 * can be kept as a named regression case.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { SslibSigner } from '../../src/core/crypto/sslib-signer.js';
import { parsePublicKeyFile } from '../../src/core/crypto/key-files.js';
import type { SslibPublicKey } from '../../src/core/crypto/keys.js';
import { metadataFileText, signMetadata } from '../../src/core/intoto/envelope.js';
import type { ArtifactDict, LayoutModel, LinkModel, Signature, StepModel } from '../../src/core/intoto/metadata.js';
import { intotoFixtures } from './fixtures.js';

/** Fixture keys: bob (ed25519) owns the layout, mallory (ed25519) is never authorized. */
export type KeyName = 'alice' | 'alice2' | 'carl' | 'dave' | 'bob' | 'mallory';
export const FUNCTIONARIES: readonly KeyName[] = ['alice2', 'carl', 'dave', 'alice'];
export const OWNER: KeyName = 'bob';
export const OWNER_KEY_TYPE = 'ed25519';

export interface StepSpec {
  name: string;
  threshold: number;
  pubkeys: KeyName[];
  expected_command: unknown[];
  materials: string[][];
  products: string[][];
}

export interface LinkSpec {
  step: string;
  /** Whose keyid prefix names the file (`<step>.<keyid[:8]>.link`). */
  fileKey: KeyName;
  /** Who signs it (usually fileKey). */
  signer: KeyName;
  /** The link's `name` (default: the step's). */
  name?: unknown;
  command: unknown[];
  materials: ArtifactDict;
  products: ArtifactDict;
  /** The file is this sublayout (signed by `signer`), its links in the folder `<step>.<keyid[:8]>/`. */
  sublayout?: ChainCase;
  /** More keys that sign it too (after `signer`). */
  coSigners?: KeyName[];
  /** Signatures added as they are (after the real ones). */
  extraSignatures?: Signature[];
  /** The file starts with a UTF-8 byte order mark. */
  bom?: boolean;
  /** The link's byproducts (default: return value 0, empty stdout and stderr). */
  byproducts?: Record<string, unknown>;
  /** A replacement made in the file's text after signing: [what, by what]. */
  editText?: [string, string];
  /** The same JSON document written otherwise than in-toto writes it (see `reformat`). */
  format?: LinkFormat;
}

/**
 * Ways to write the same link that keep its signatures valid for python (which reads the JSON and signs the
 * model): compact, keys in reverse order, escapes of `/` and `.`, CRLF and tabs, an extra member in `signed`
 * and at the top (dropped from the signed model), `environment` left out (defaults to `{}`).
 */
export const LINK_FORMATS = ['compact', 'reversed', 'escaped', 'crlf', 'extra', 'sparse'] as const;
export type LinkFormat = (typeof LINK_FORMATS)[number];

function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)]));
}

function reformat(text: string, format: LinkFormat): string {
  const doc = JSON.parse(text) as { signed: Record<string, unknown> } & Record<string, unknown>;
  switch (format) {
    case 'compact':
      return JSON.stringify(doc);
    case 'reversed':
      return JSON.stringify(reversedKeys(doc), null, 2);
    case 'escaped':
      return JSON.stringify(doc).replaceAll('/', '\\/').replaceAll('.', '\\u002e');
    case 'crlf':
      return JSON.stringify(doc, null, '\t').replaceAll('\n', '\r\n');
    case 'extra':
      return JSON.stringify({ ...doc, comment: ['not signed'], signed: { ...doc.signed, extra: { x: 1 } } }, null, 1);
    case 'sparse': {
      const { environment: _environment, ...signed } = doc.signed;
      void _environment;
      return JSON.stringify({ ...doc, signed }, null, 1);
    }
  }
}

export interface ChainCase {
  steps: StepSpec[];
  expires: string;
  /** Who signs the layout (default: the owner). */
  layoutSigner?: KeyName;
  links: LinkSpec[];
}

export const EXPIRES_FUTURE = '2099-12-31T23:59:59Z';
export const EXPIRES_PAST = '2001-01-01T00:00:00Z';

/** mulberry32: a tiny seeded PRNG (deterministic across runs and platforms). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The sha256 of a path's content in version v: equal versions are equal hashes across steps, and files of the
 * same base name (`src/main.c`, `dist/src/main.c`) are equal in the same version, so MATCH with IN prefixes
 * can consume.
 */
export function contentHash(p: string, v: number): string {
  return createHash('sha256').update(`${p.split(/[/\\]/).pop()!}#${v}`).digest('hex');
}

/** `{path: {sha256: hash of version}}` from `{path: version}`. */
export function artifacts(versions: Record<string, number>): ArtifactDict {
  return Object.fromEntries(Object.entries(versions).map(([p, v]) => [p, { sha256: contentHash(p, v) }]));
}

/** The universe of artifact paths: flat names, subdirectories, names that look like patterns. */
export const PATHS: readonly string[] = [
  'a.txt',
  'b.txt',
  'c.md',
  'README',
  'foo',
  'foo.txt',
  'src/main.c',
  'src/util.c',
  'src/lib/x.h',
  'src/lib/y.h',
  'lib/x.h',
  'dist/app.tgz',
  'dist/src/main.c',
  'dist/main.c',
  '[ab].txt',
  'x y.txt',
  'win\\a.txt',
  'dist/win/a.txt',
  'src/win\\b.txt',
  'src/win/b.txt',
  '\u00e9t\u00e9.txt',
];

const PATTERNS: readonly string[] = [
  '*',
  '*.txt',
  '*.c',
  '*.[ch]',
  'src/*',
  'src/*.c',
  '*/x.h',
  '?.txt',
  '??.md',
  '[ab].txt',
  '[!a]*',
  '[a-c]*',
  'src/[l-u]*',
  'foo*',
  'foo?*',
  'dist/*',
  'main.c',
  'x.h',
  'lib/*',
  '[]',
  '[!]',
  'x y.txt',
];
const PREFIXES: readonly string[] = ['src', 'src/', 'dist', 'dist/src', 'lib', 'src/lib', 'src\\', 'dist\\win', 'dist/win', 'win'];
const COMMANDS: readonly string[][] = [[], ['make'], ['make', 'all'], ['tar', 'czf', 'dist/app.tgz', 'src']];
const STEP_NAMES: readonly string[] = ['fetch', 'build', 'package'];

export function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function shuffle<T>(rnd: () => number, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function chance(rnd: () => number, p: number): boolean {
  return rnd() < p;
}

function randomCase(rnd: () => number, word: string): string {
  const r = rnd();
  return r < 0.7 ? word.toUpperCase() : r < 0.85 ? word.toLowerCase() : word[0]!.toUpperCase() + word.slice(1).toLowerCase();
}

/** A pattern: one of the list, or (often) a path the step really has, so that rules consume something. */
function randomPattern(rnd: () => number, own: readonly string[]): string {
  const r = rnd();
  if (r < 0.35 && own.length > 0) return pick(rnd, own);
  return r < 0.45 ? pick(rnd, PATHS) : pick(rnd, PATTERNS);
}

function randomRule(rnd: () => number, stepNames: readonly string[], own: readonly string[]): string[] {
  const kind = pick(rnd, ['MATCH', 'MATCH', 'MATCH', 'ALLOW', 'DISALLOW', 'REQUIRE', 'CREATE', 'DELETE', 'MODIFY']);
  const kw = (w: string) => randomCase(rnd, w);
  if (kind === 'REQUIRE') return [kw('REQUIRE'), chance(rnd, 0.7) && own.length > 0 ? pick(rnd, own) : pick(rnd, PATHS)];
  if (kind !== 'MATCH') return [kw(kind), randomPattern(rnd, own)];
  const rule = [kw('MATCH'), randomPattern(rnd, own)];
  if (chance(rnd, 0.3)) rule.push(kw('IN'), pick(rnd, PREFIXES));
  rule.push(kw('WITH'), kw(pick(rnd, ['MATERIALS', 'PRODUCTS'])));
  if (chance(rnd, 0.3)) rule.push(kw('IN'), pick(rnd, PREFIXES));
  rule.push(kw('FROM'), chance(rnd, 0.1) ? 'ghost' : pick(rnd, stepNames));
  return rule;
}

/** 0-4 random rules, often closed by `DISALLOW *` (sometimes after an `ALLOW` of what is left). */
function randomRules(rnd: () => number, stepNames: readonly string[], own: readonly string[]): string[][] {
  const n = Math.floor(rnd() * 5);
  const rules = Array.from({ length: n }, () => randomRule(rnd, stepNames, own));
  if (chance(rnd, 0.5)) {
    if (chance(rnd, 0.3)) rules.push(['ALLOW', randomPattern(rnd, own)]);
    rules.push(['DISALLOW', chance(rnd, 0.8) ? '*' : randomPattern(rnd, own)]);
  }
  return rules;
}

/**
 * Rules that describe what the step did (MATCH against the step before, MODIFY / CREATE / DELETE, MATCH of
 * unchanged files against its own materials, a closing `DISALLOW *`), often with one rule changed, added or
 * dropped: chains that pass, or fail on one rule, so that the whole chain is verified and not only its first rule.
 */
function coherentRules(rnd: () => number, names: readonly string[], index: number, side: 'materials' | 'products', own: readonly string[], tidy = false): string[][] {
  const change = tidy ? 0.1 : 0.4;
  const wide = (patterns: string[]): string => (tidy ? '*' : pick(rnd, patterns));
  const rules: string[][] = [];
  const prev = index > 0 ? names[index - 1] : undefined;
  if (side === 'materials') {
    if (prev !== undefined) {
      if (chance(rnd, 0.3)) rules.push(['MATCH', pick(rnd, ['*', 'main.c', '*.c']), 'IN', 'dist/src', 'WITH', 'PRODUCTS', 'IN', 'src', 'FROM', prev]);
      rules.push(['MATCH', wide(['*', '*', 'src/*', '*.txt', '[!d]*']), 'WITH', 'PRODUCTS', 'FROM', prev]);
    } else {
      rules.push(['ALLOW', wide(['*', 'src/*', '*.txt'])]);
    }
    if (chance(rnd, 0.3)) rules.push(['DELETE', '*']);
  } else {
    const kinds = shuffle(rnd, [['MODIFY', '*'], ['CREATE', '*'], ['MATCH', '*', 'WITH', 'MATERIALS', 'FROM', names[index]!]]);
    rules.push(...(tidy || chance(rnd, 0.7) ? kinds : kinds.slice(0, 1 + Math.floor(rnd() * 2))));
    // REQUIRE looks at the queue: before the rules that consume
    if (chance(rnd, 0.3)) rules.unshift(['REQUIRE', own.length > 0 && chance(rnd, 0.8) ? pick(rnd, own) : pick(rnd, PATHS)]);
  }
  rules.push(['DISALLOW', '*']);
  const r = rnd() / change; // below 1 with probability `change`
  const at = Math.floor(rnd() * rules.length);
  if (r < 0.4) rules[at] = randomRule(rnd, names, own);
  else if (r < 0.75) rules.splice(at, 0, randomRule(rnd, names, own));
  else if (r < 1) rules.splice(at, 1);
  return rules;
}

/** A random subset of the universe with versions 0-2. */
function randomState(rnd: () => number, p: number): Record<string, number> {
  const s: Record<string, number> = {};
  for (const q of PATHS) if (chance(rnd, p)) s[q] = Math.floor(rnd() * 3);
  return s;
}

/** What a step does to the working tree: keeps, modifies, deletes and creates some paths. */
function evolve(rnd: () => number, before: Record<string, number>): Record<string, number> {
  const after: Record<string, number> = {};
  for (const [q, v] of Object.entries(before)) {
    const r = rnd();
    if (r < 0.6) after[q] = v;
    else if (r < 0.85) after[q] = v + 1;
  }
  for (const q of PATHS) if (!(q in before) && chance(rnd, 0.15)) after[q] = Math.floor(rnd() * 3);
  return after;
}

/**
 * Hash dictionaries as other tools may write them, now and then: a second algorithm, uppercase hex (python
 * compares the dictionaries as they are), or a digest with a trailing newline.
 */
function oddHashes(rnd: () => number, d: ArtifactDict): ArtifactDict {
  if (!chance(rnd, 0.08)) return d;
  const out: ArtifactDict = { ...d };
  const paths = Object.keys(out);
  if (paths.length === 0) return out;
  const q = pick(rnd, paths);
  const h = out[q]!['sha256']!;
  const r = rnd();
  out[q] = r < 0.4 ? { sha256: h, sha512: createHash('sha512').update(h).digest('hex') } : r < 0.8 ? { sha256: h.toUpperCase() } : { sha256: h + '\n' };
  return out;
}

/** A sublayout standing for a step that turned `materials` into `products`, in one or two inner steps. */
function randomSubchain(rnd: () => number, materials: Record<string, number>, products: Record<string, number>): ChainCase {
  const names = ['inner-a', 'inner-b'].slice(0, 1 + Math.floor(rnd() * 2));
  const worlds = names.length === 1 ? [materials, products] : [materials, evolve(rnd, materials), products];
  const steps: StepSpec[] = [];
  const links: LinkSpec[] = [];
  names.forEach((name, i) => {
    const key = pick(rnd, FUNCTIONARIES);
    const [m, p] = [worlds[i]!, worlds[i + 1]!];
    steps.push({
      name,
      threshold: 1,
      pubkeys: [key],
      expected_command: [],
      materials: chance(rnd, 0.7) ? coherentRules(rnd, names, i, 'materials', Object.keys(m)) : randomRules(rnd, names, Object.keys(m)),
      products: chance(rnd, 0.7) ? coherentRules(rnd, names, i, 'products', Object.keys(p)) : randomRules(rnd, names, Object.keys(p)),
    });
    if (chance(rnd, 0.05)) return; // a missing inner link
    links.push({ step: name, fileKey: key, signer: chance(rnd, 0.05) ? 'mallory' : key, command: [], materials: artifacts(m), products: artifacts(p) });
  });
  return { steps, expires: chance(rnd, 0.1) ? EXPIRES_PAST : EXPIRES_FUTURE, links };
}

/** One random supply chain: steps, then what each step did (links), then rules over what the links hold. */
export function randomChain(rnd: () => number): ChainCase {
  // A tidy chain: each step starts from what the one before produced, rules follow what it did and are rarely
  // changed, so that most of them pass and the whole chain gets verified.
  const tidy = chance(rnd, 0.4);
  const n = 1 + Math.floor(rnd() * 3);
  const names = STEP_NAMES.slice(3 - n);
  const steps: StepSpec[] = names.map((name) => {
    const threshold = chance(rnd, 0.25) ? 2 : 1;
    const nKeys = Math.max(threshold, 1 + Math.floor(rnd() * 2)) + (chance(rnd, 0.05) ? -1 : 0);
    return {
      name,
      threshold,
      pubkeys: shuffle(rnd, FUNCTIONARIES).slice(0, Math.max(1, nKeys)),
      expected_command: pick(rnd, COMMANDS),
      materials: [],
      products: [],
    };
  });
  const links: LinkSpec[] = [];
  let world = randomState(rnd, 0.4);
  for (const step of steps) {
    const materials = tidy || chance(rnd, 0.85) ? world : randomState(rnd, 0.3);
    const products = evolve(rnd, materials);
    world = tidy || chance(rnd, 0.9) ? products : randomState(rnd, 0.4);
    const index = names.indexOf(step.name);
    const rules = (side: 'materials' | 'products', own: string[]): string[][] =>
      tidy ? coherentRules(rnd, names, index, side, own, true) : chance(rnd, 0.6) ? coherentRules(rnd, names, index, side, own) : randomRules(rnd, names, own);
    step.materials = rules('materials', Object.keys(materials));
    step.products = rules('products', Object.keys(products));
    const command = chance(rnd, 0.7) ? step.expected_command : pick(rnd, COMMANDS);
    let first = true;
    for (const key of step.pubkeys) {
      if (chance(rnd, 0.03)) continue; // a missing link
      let m = materials;
      let p = products;
      if (!first && chance(rnd, 0.2)) {
        // a link of the same step that disagrees: one path changed, added or dropped
        const q = pick(rnd, PATHS);
        const onMaterials = chance(rnd, 0.5);
        const target = { ...(onMaterials ? m : p) };
        if (q in target && chance(rnd, 0.5)) delete target[q];
        else target[q] = (target[q] ?? 0) + 1;
        if (onMaterials) m = target;
        else p = target;
      }
      const signer: KeyName = chance(rnd, 0.03) ? 'mallory' : key;
      const link: LinkSpec = { step: step.name, fileKey: key, signer, command, materials: oddHashes(rnd, artifacts(m)), products: oddHashes(rnd, artifacts(p)) };
      if (first && chance(rnd, 0.12)) link.sublayout = randomSubchain(rnd, m, p);
      if (chance(rnd, 0.05)) link.coSigners = [pick(rnd, ['mallory', ...FUNCTIONARIES] as KeyName[])];
      if (chance(rnd, 0.01)) link.bom = true;
      if (chance(rnd, 0.15)) link.format = pick(rnd, LINK_FORMATS);
      if (chance(rnd, 0.03)) link.extraSignatures = [{ keyid: fixtureKey(pick(rnd, FUNCTIONARIES)).publicKey.keyid + '\n', sig: 'ab' }];
      else if (chance(rnd, 0.03)) link.extraSignatures = [{ keyid: 'ab'.repeat(20), sig: '', gpg: { other_headers: '04000108', signature: 'ef01' } }];
      first = false;
      links.push(link);
    }
  }
  return {
    steps,
    expires: chance(rnd, 0.05) ? EXPIRES_PAST : chance(rnd, 0.02) ? EXPIRES_FUTURE + '\n' : EXPIRES_FUTURE,
    ...(chance(rnd, 0.02) ? { layoutSigner: 'mallory' as KeyName } : {}),
    links,
  };
}

interface LoadedKey {
  publicKey: SslibPublicKey;
  signer: SslibSigner;
  pubFile: Buffer;
}

const keyCache = new Map<KeyName, LoadedKey>();

export function fixtureKey(name: KeyName): LoadedKey {
  let k = keyCache.get(name);
  if (k === undefined) {
    const dir = path.join(intotoFixtures, 'keys');
    const pubFile = readFileSync(path.join(dir, `${name}.pub`));
    k = { publicKey: parsePublicKeyFile(pubFile, `${name}.pub`), signer: SslibSigner.fromKeyFile(readFileSync(path.join(dir, name)), name), pubFile };
    keyCache.set(name, k);
  }
  return k;
}

function layoutKeyJson(k: SslibPublicKey): Record<string, unknown> {
  return { keyid: k.keyid, keyid_hash_algorithms: k.keyid_hash_algorithms, keytype: k.keytype, keyval: { public: k.keyval.public }, scheme: k.scheme };
}

function layoutModel(c: ChainCase): LayoutModel {
  const used = new Set<KeyName>(c.steps.flatMap((s) => s.pubkeys));
  const steps: StepModel[] = c.steps.map((s) => ({
    _type: 'step',
    expected_command: s.expected_command,
    expected_materials: s.materials,
    expected_products: s.products,
    name: s.name,
    pubkeys: s.pubkeys.map((k) => fixtureKey(k).publicKey.keyid),
    threshold: s.threshold,
  }));
  return {
    _type: 'layout',
    expires: c.expires,
    inspect: [],
    keys: Object.fromEntries([...used].map((k) => [fixtureKey(k).publicKey.keyid, layoutKeyJson(fixtureKey(k).publicKey)])),
    readme: 'random differential case',
    steps,
  };
}

/** The link files (and sublayouts with their folders of links) of a chain into `dir`. */
async function writeLinks(dir: string, links: readonly LinkSpec[]): Promise<void> {
  for (const l of links) {
    const base = `${l.step}.${fixtureKey(l.fileKey).publicKey.keyid.slice(0, 8)}`;
    if (l.sublayout !== undefined) {
      const envelope = await signMetadata(layoutModel(l.sublayout), [fixtureKey(l.signer).signer]);
      writeFileSync(path.join(dir, `${base}.link`), metadataFileText(envelope));
      mkdirSync(path.join(dir, base), { recursive: true });
      await writeLinks(path.join(dir, base), l.sublayout.links);
      continue;
    }
    const model: LinkModel = {
      _type: 'link',
      byproducts: l.byproducts ?? { 'return-value': 0, stderr: '', stdout: '' },
      command: l.command,
      environment: {},
      materials: l.materials,
      name: l.name ?? l.step,
      products: l.products,
    };
    const envelope = await signMetadata(model, [l.signer, ...(l.coSigners ?? [])].map((k) => fixtureKey(k).signer));
    envelope.signatures.push(...(l.extraSignatures ?? []));
    let text = metadataFileText(envelope);
    if (l.format !== undefined) text = reformat(text, l.format);
    writeFileSync(path.join(dir, `${base}.link`), (l.bom === true ? '\ufeff' : '') + (l.editText === undefined ? text : text.replace(...l.editText)));
  }
}

/** Write `root.layout`, `owner.pub` and the link files of a case into `dir`. */
export async function writeChain(dir: string, c: ChainCase): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const layoutEnvelope = await signMetadata(layoutModel(c), [fixtureKey(c.layoutSigner ?? OWNER).signer]);
  writeFileSync(path.join(dir, 'root.layout'), metadataFileText(layoutEnvelope));
  writeFileSync(path.join(dir, 'owner.pub'), fixtureKey(OWNER).pubFile);
  await writeLinks(dir, c.links);
}

/** A short description of a case, to reproduce a failure by reading it. */
export function describeChain(c: ChainCase): string {
  return JSON.stringify(c, (k, v: unknown) => (k === 'sha256' && typeof v === 'string' ? v.slice(0, 8) : typeof v === 'bigint' ? `${v}n` : v), 1);
}
