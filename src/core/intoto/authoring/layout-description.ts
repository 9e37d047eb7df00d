/**
 * The short description a layout is written from (`cnab-trust layout create`), in YAML or JSON:
 *
 *   expires: 365d                       # or 12w, 1y, or a date 2030-01-01T00:00:00Z (default 365d)
 *   readme: What this supply chain is.
 *   steps:
 *     - name: package
 *       functionaries: [keys/carl.pub]  # public key files (relative to the description); one or a list
 *       threshold: 1                    # default 1
 *       command: tar zcvf foo.tar.gz foo.py     # the expected command (a string or a list)
 *       materials: [MATCH foo.py WITH PRODUCTS FROM write-code, DISALLOW *]
 *       products:  [CREATE foo.tar.gz, DISALLOW *]
 *   inspections:
 *     - name: untar
 *       run: tar xzf foo.tar.gz
 *       materials: [MATCH foo.tar.gz WITH PRODUCTS FROM package, ALLOW root.layout, ALLOW "*.pub", DISALLOW *]
 *
 * Rules are written as one string (split like a shell would, so quote a pattern with spaces) or as a list.
 * Everything is checked before any file is read, and each error names `file:line` (E_INTOTO_DESCRIPTION):
 * unknown or misspelt fields and rule keywords (with a suggestion), a MATCH naming an unknown step, a step
 * without functionaries, a threshold above the number of functionaries, names that repeat or climb out.
 */
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { CnabTrustError } from '../../errors.js';
import { parseRule } from '../rules.js';
import { shellWords, ShellWordsError } from './shell-words.js';

/** Where a value was written: `file:line`. */
export interface SourcePos {
  file: string;
  line: number;
}

export interface DescribedRule {
  words: string[];
  at: SourcePos;
}

export interface DescribedKeyFile {
  /** The file name as written (relative to the description's directory). */
  file: string;
  at: SourcePos;
}

export interface DescribedStep {
  name: string;
  at: SourcePos;
  functionaries: DescribedKeyFile[];
  threshold: number;
  command: string[];
  materials: DescribedRule[];
  products: DescribedRule[];
}

export interface DescribedInspection {
  name: string;
  at: SourcePos;
  run: string[];
  materials: DescribedRule[];
  products: DescribedRule[];
}

export interface LayoutDescription {
  source: string;
  /** Absolute date, or a duration from "now" in days; `at` is where it was written (absent: the default). */
  expires: ({ date: string } | { days: number }) & { at?: SourcePos };
  readme: string;
  steps: DescribedStep[];
  inspections: DescribedInspection[];
}

const TOP_FIELDS = ['expires', 'readme', 'steps', 'inspections'] as const;
const STEP_FIELDS = ['name', 'functionaries', 'threshold', 'command', 'materials', 'products'] as const;
const INSPECTION_FIELDS = ['name', 'run', 'materials', 'products'] as const;
const FIELD_ALIASES: Record<string, string> = { expected_command: 'command', expected_materials: 'materials', expected_products: 'products', keys: 'functionaries', pubkeys: 'functionaries', inspect: 'inspections' };
const RULE_KEYWORDS = ['MATCH', 'CREATE', 'DELETE', 'MODIFY', 'ALLOW', 'DISALLOW', 'REQUIRE'];
const MATCH_WORDS = ['IN', 'WITH', 'MATERIALS', 'PRODUCTS', 'FROM'];

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest known word within 2 edits (case-insensitive), for "did you mean". */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const dist = levenshtein(word.toLowerCase(), k.toLowerCase());
    if (dist < bestD) {
      best = k;
      bestD = dist;
    }
  }
  return best;
}

export function descriptionError(at: SourcePos, message: string, hint?: string): CnabTrustError {
  return new CnabTrustError('E_INTOTO_DESCRIPTION', `${at.file}:${at.line}: ${message}`, {
    subject: `${at.file}:${at.line}`,
    ...(hint === undefined ? {} : { hint }),
  });
}

const DURATION = /^(\d+)\s*([dwy])$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

class Reader {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  at(node: YamlNode | null | undefined): SourcePos {
    const offset = node?.range?.[0] ?? 0;
    return { file: this.file, line: this.lines.linePos(offset).line };
  }

  /** The fields of a mapping, refusing unknown (and suggesting close) names. */
  fields(node: YamlNode, known: readonly string[], what: string): Map<string, YamlNode> {
    if (!isMap(node)) throw descriptionError(this.at(node), `${what} must be a mapping of ${known.join(', ')}`);
    const out = new Map<string, YamlNode>();
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode;
      const raw = isScalar(keyNode) ? String(keyNode.value) : '';
      const name = FIELD_ALIASES[raw] ?? raw;
      if (!known.includes(name)) {
        const guess = closest(raw, known);
        throw descriptionError(this.at(keyNode), `unknown field '${raw}' in ${what}${guess ? `: did you mean '${guess}'?` : ''}`, `the fields of ${what} are ${known.join(', ')}`);
      }
      if (out.has(name)) throw descriptionError(this.at(keyNode), `field '${name}' given twice in ${what}`);
      out.set(name, (pair.value ?? keyNode) as YamlNode);
    }
    return out;
  }

  string(node: YamlNode, what: string): string {
    if (!isScalar(node) || typeof node.value !== 'string') throw descriptionError(this.at(node), `${what} must be a string`);
    return node.value;
  }

  /** A command: a string (split like a shell) or a list of strings. */
  words(node: YamlNode, what: string): string[] {
    if (isSeq(node)) return node.items.map((n) => this.scalarText(n as YamlNode, `${what} item`));
    const text = this.scalarText(node, what);
    try {
      return shellWords(text);
    } catch (e) {
      throw descriptionError(this.at(node), `${what} does not split into words: ${(e as ShellWordsError).message}`);
    }
  }

  /** A scalar written as text (numbers and booleans become their text, as in a command line). */
  scalarText(node: YamlNode, what: string): string {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') throw descriptionError(this.at(node), `${what} must be a string`);
    return typeof node.value === 'string' ? node.value : String(node.source ?? node.value);
  }

  list(node: YamlNode, what: string): YamlNode[] {
    if (isSeq(node)) return node.items as YamlNode[];
    if (isScalar(node) && node.value === null) return [];
    throw descriptionError(this.at(node), `${what} must be a list`);
  }
}

function checkName(r: Reader, node: YamlNode, what: string): string {
  const name = r.string(node, `${what} name`);
  if (name === '' || name === '.' || name === '..' || /[/\\\0\s]/.test(name)) {
    throw descriptionError(r.at(node), `${what} name '${name}' cannot be used: it becomes part of link file names (no spaces, no / or \\, not . or ..)`);
  }
  return name;
}

function readRules(r: Reader, node: YamlNode | undefined, what: string): DescribedRule[] {
  if (node === undefined) return [];
  return r.list(node, what).map((item) => {
    const at = r.at(item);
    const words = r.words(item, `rule in ${what}`);
    if (words.length === 0) throw descriptionError(at, `empty rule in ${what}`);
    const kw = words[0]!.toUpperCase();
    if (!RULE_KEYWORDS.includes(kw)) {
      const guess = closest(words[0]!, RULE_KEYWORDS);
      throw descriptionError(at, `unknown rule keyword '${words[0]}' in ${what}${guess ? `: did you mean '${guess}'?` : ''}`, `rules start with ${RULE_KEYWORDS.join(', ')}`);
    }
    if (kw === 'MATCH') {
      // A misspelt IN/WITH/MATERIALS/PRODUCTS/FROM reads better as such than as "does not parse".
      for (const w of words.slice(2)) {
        const up = w.toUpperCase();
        if (MATCH_WORDS.includes(up)) continue;
        const guess = closest(w, MATCH_WORDS);
        if (guess !== undefined && w.length > 2 && levenshtein(up, guess) <= 1) {
          throw descriptionError(at, `'${w}' in MATCH rule of ${what}: did you mean '${guess}'?`);
        }
      }
    }
    try {
      parseRule(words, what);
    } catch (e) {
      const err = e as CnabTrustError;
      throw descriptionError(at, err.code === 'E_INTOTO_PATH' ? `rule '${words.join(' ')}' in ${what} climbs out of the directory` : `rule '${words.join(' ')}' in ${what} does not parse`, err.hint);
    }
    return { words, at };
  });
}

function readExpires(r: Reader, node: YamlNode | undefined): LayoutDescription['expires'] {
  if (node === undefined) return { days: 365 };
  const text = r.scalarText(node, 'expires').trim();
  const d = DURATION.exec(text);
  if (d) {
    const n = Number(d[1]);
    if (n === 0) throw descriptionError(r.at(node), `expires '${text}' would make the layout expire at once`);
    return { days: d[2] === 'd' ? n : d[2] === 'w' ? 7 * n : 365 * n, at: r.at(node) };
  }
  const m = DATE.exec(text);
  if (m) {
    const [, y, mo, day, h, mi, s] = m.map(Number) as number[];
    const date = new Date(Date.UTC(y!, mo! - 1, day!, h!, mi!, s!));
    if (date.getUTCMonth() === mo! - 1 && date.getUTCDate() === day! && h! < 24 && mi! < 60 && s! < 60) return { date: text, at: r.at(node) };
  }
  throw descriptionError(r.at(node), `expires '${text}' is neither a duration (365d, 52w, 1y) nor a date like 2030-01-01T00:00:00Z`);
}

/** Parse and check a layout description; nothing is read from disk (key files are returned as references). */
export function parseLayoutDescription(text: string, file: string): LayoutDescription {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const r = new Reader(file, lines);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = lines.linePos(e.pos[0]).line;
    throw descriptionError({ file, line }, `not valid YAML/JSON: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents as YamlNode | null;
  if (root === null) throw descriptionError({ file, line: 1 }, 'the description is empty', 'give at least `steps:`');
  const top = r.fields(root, TOP_FIELDS, 'the description');
  const readmeNode = top.get('readme');
  const readme = readmeNode === undefined ? '' : r.string(readmeNode, 'readme');
  const expires = readExpires(r, top.get('expires'));

  const names = new Map<string, SourcePos>();
  const claim = (name: string, node: YamlNode): void => {
    const before = names.get(name);
    if (before !== undefined) throw descriptionError(r.at(node), `name '${name}' is already used at line ${before.line} (step and inspection names are unique)`);
    names.set(name, r.at(node));
  };

  const stepsNode = top.get('steps');
  if (stepsNode === undefined) throw descriptionError(r.at(root), 'the description has no `steps:`');
  const steps: DescribedStep[] = r.list(stepsNode, 'steps').map((node, i) => {
    const f = r.fields(node, STEP_FIELDS, `step ${i + 1}`);
    const nameNode = f.get('name');
    if (nameNode === undefined) throw descriptionError(r.at(node), `step ${i + 1} has no name`);
    const name = checkName(r, nameNode, 'step');
    claim(name, nameNode);
    const fNode = f.get('functionaries');
    if (fNode === undefined) throw descriptionError(r.at(nameNode), `step '${name}' has no functionaries`, 'list the public key files of who may carry out the step: functionaries: [keys/alice.pub]');
    const functionaries = (isSeq(fNode) ? (fNode.items as YamlNode[]) : [fNode]).map((k) => {
      const keyFile = isScalar(k) && k.value === null ? '' : r.scalarText(k, `functionary of step '${name}'`);
      if (keyFile.trim() === '') throw descriptionError(r.at(k), `a functionary of step '${name}' has no key file`);
      return { file: keyFile, at: r.at(k) };
    });
    if (functionaries.length === 0) throw descriptionError(r.at(fNode), `step '${name}' has no functionaries`, 'functionaries: [keys/alice.pub]');
    let threshold = 1;
    const tNode = f.get('threshold');
    if (tNode !== undefined) {
      if (!isScalar(tNode) || typeof tNode.value !== 'number' || !Number.isInteger(tNode.value) || tNode.value < 1) {
        throw descriptionError(r.at(tNode), `threshold of step '${name}' must be a whole number of at least 1`);
      }
      threshold = tNode.value;
      if (threshold > functionaries.length) {
        throw descriptionError(r.at(tNode), `threshold ${threshold} of step '${name}' is more than its ${functionaries.length} functionar${functionaries.length === 1 ? 'y' : 'ies'}`);
      }
    }
    const cNode = f.get('command');
    return {
      name,
      at: r.at(nameNode),
      functionaries,
      threshold,
      command: cNode === undefined ? [] : r.words(cNode, `command of step '${name}'`),
      materials: readRules(r, f.get('materials'), `step '${name}' materials`),
      products: readRules(r, f.get('products'), `step '${name}' products`),
    };
  });

  const inspectionsNode = top.get('inspections');
  const inspections: DescribedInspection[] = (inspectionsNode === undefined ? [] : r.list(inspectionsNode, 'inspections')).map((node, i) => {
    const f = r.fields(node, INSPECTION_FIELDS, `inspection ${i + 1}`);
    const nameNode = f.get('name');
    if (nameNode === undefined) throw descriptionError(r.at(node), `inspection ${i + 1} has no name`);
    const name = checkName(r, nameNode, 'inspection');
    claim(name, nameNode);
    const runNode = f.get('run');
    const run = runNode === undefined ? [] : r.words(runNode, `run of inspection '${name}'`);
    if (run.length === 0) throw descriptionError(r.at(runNode ?? nameNode), `inspection '${name}' has nothing to run`, 'run: tar xzf foo.tar.gz');
    return {
      name,
      at: r.at(nameNode),
      run,
      materials: readRules(r, f.get('materials'), `inspection '${name}' materials`),
      products: readRules(r, f.get('products'), `inspection '${name}' products`),
    };
  });

  // in-toto verify: step rules see only step links; inspection rules see steps and inspections.
  const stepNames = new Set(steps.map((s) => s.name));
  const allNames = new Set([...stepNames, ...inspections.map((x) => x.name)]);
  const checkMatch = (rules: DescribedRule[], known: Set<string>, what: string): void => {
    for (const rule of rules) {
      if (rule.words[0]!.toUpperCase() !== 'MATCH') continue;
      const from = rule.words[rule.words.length - 1]!;
      if (!known.has(from)) {
        const guess = closest(from, [...known]);
        const inspectionOnly = allNames.has(from) && !known.has(from);
        throw descriptionError(
          rule.at,
          inspectionOnly
            ? `MATCH in ${what} names inspection '${from}': step rules can only match steps`
            : `MATCH in ${what} names unknown step '${from}'${guess ? `: did you mean '${guess}'?` : ''}`,
          `known steps: ${[...stepNames].join(', ') || '(none)'}`,
        );
      }
    }
  };
  for (const s of steps) {
    checkMatch(s.materials, stepNames, `step '${s.name}' materials`);
    checkMatch(s.products, stepNames, `step '${s.name}' products`);
  }
  for (const x of inspections) {
    checkMatch(x.materials, allNames, `inspection '${x.name}' materials`);
    checkMatch(x.products, allNames, `inspection '${x.name}' products`);
  }
  return { source: file, expires, readme, steps, inspections };
}
