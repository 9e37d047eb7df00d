/**
 * Docker/OCI image references, parsed and normalized as distribution/reference (`ParseNormalizedNamed`) does.
 *
 * Grammar (distribution/reference, reference.go):
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain "/"] remote-name
 *   domain           := host [":" port-number]
 *   host             := domain-name | "[" IPv6address "]"
 *   domain-name      := domain-component ["." domain-component]*
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   port-number      := /[0-9]+/
 *   remote-name      := path-component ["/" path-component]*
 *   path-component   := alpha-numeric [separator alpha-numeric]*
 *   alpha-numeric    := /[a-z0-9]+/
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := algorithm ":" hex   (validated as go-digest does: sha256/sha384/sha512, exact lowercase hex)
 *
 * Normalization (normalize.go `splitDockerDomain`):
 *  - the first "/"-separated component is the registry when it contains "." or ":", is "localhost", or has an
 *    uppercase letter (a repository path is lowercase, so it can only be a host); otherwise the registry is
 *    `docker.io` and the whole name is the repository;
 *  - `index.docker.io` is `docker.io`;
 *  - on `docker.io` a one-component repository gets the `library/` prefix (`ubuntu` -> `docker.io/library/ubuntu`);
 *  - no tag and no digest means the tag `latest` (in the normalized string).
 * A 64-hex string alone is refused (it is an image ID, not a name). The repository path is at most 255 characters.
 * Our own bound: a whole reference longer than 1024 characters is refused before parsing (untrusted input).
 */
import { CnabTrustError } from '../errors.js';
import { parseDigest, quoteUntrusted } from './digest.js';

export const DEFAULT_REGISTRY = 'docker.io';
const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
/** distribution/reference RepositoryNameTotalLengthMax: the repository path (without the registry). */
export const MAX_REPOSITORY_LENGTH = 255;
/** Our bound on a whole reference string, checked before any parsing. */
export const MAX_REFERENCE_LENGTH = 1024;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^\w[\w.-]{0,127}$/;
const IDENTIFIER = /^[a-f0-9]{64}$/;
/** Every character that may appear somewhere in a reference; anything else is illegal wherever it is. */
const LEGAL_CHARACTER = /[A-Za-z0-9._\-/:@[\]+]/;

export interface ReferenceParseOptions {
  /** What the reference belongs to (an image of a bundle, a mapping key), for the error's subject. */
  subject?: string;
}

/** A parsed, normalized image reference. Immutable. */
export class ImageReference {
  /** Registry host (and port), e.g. `docker.io`, `localhost:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `library/ubuntu`. */
  readonly repository: string;
  /** The tag as written, or undefined (the normalized string then uses `latest` unless a digest is given). */
  readonly tag: string | undefined;
  /** The digest as written (validated), e.g. `sha256:…`, or undefined. */
  readonly digest: string | undefined;

  constructor(registry: string, repository: string, tag?: string, digest?: string) {
    this.registry = registry;
    this.repository = repository;
    this.tag = tag;
    this.digest = digest;
    Object.freeze(this);
  }

  /** `registry/repository`: the repository name, CNAB-Sec's `<gun>` (e.g. `example.com/org/bundle`). */
  get repositoryName(): string {
    return `${this.registry}/${this.repository}`;
  }

  /** What to ask the registry's manifest endpoint for: the digest if pinned, else the tag (default `latest`). */
  get tagOrDigest(): string {
    return this.digest ?? this.tag ?? DEFAULT_TAG;
  }

  /** Fully qualified: `docker.io/library/ubuntu:latest`, `reg/x:1@sha256:…`, `reg/x@sha256:…`. */
  toString(): string {
    const tag = this.tag ?? (this.digest === undefined ? DEFAULT_TAG : undefined);
    return this.repositoryName + (tag === undefined ? '' : `:${tag}`) + (this.digest === undefined ? '' : `@${this.digest}`);
  }

  toJSON(): string {
    return this.toString();
  }

  /** The short form docker prints: `ubuntu`, `org/app:1`, `localhost:5000/x@sha256:…` (familiarizeName). */
  familiar(): string {
    let name = this.repositoryName;
    if (this.registry === DEFAULT_REGISTRY) {
      name = this.repository;
      if (name.startsWith(OFFICIAL_PREFIX) && !name.slice(OFFICIAL_PREFIX.length).includes('/')) {
        name = name.slice(OFFICIAL_PREFIX.length);
      }
    }
    return name + (this.tag === undefined ? '' : `:${this.tag}`) + (this.digest === undefined ? '' : `@${this.digest}`);
  }

  /**
   * The form a docker client pulls (distribution `ParseDockerRef`): pinned references lose their tag (the digest
   * decides), unpinned ones get `latest` when untagged. Two references with the same docker form name the same
   * image in the same repository.
   */
  dockerForm(): string {
    return this.digest !== undefined ? `${this.repositoryName}@${this.digest}` : `${this.repositoryName}:${this.tag ?? DEFAULT_TAG}`;
  }

  /** The same repository and tag pinned to `digest` (validated). */
  withDigest(digest: string): ImageReference {
    const d = parseDigest(digest, { subject: this.toString() }).toString();
    return new ImageReference(this.registry, this.repository, this.tag, d);
  }

  /** The same repository with another tag (validated), keeping a digest if any. */
  withTag(tag: string): ImageReference {
    if (!TAG.test(tag)) {
      throw referenceError(`${this.repositoryName}:${tag}`, `tag ${quoteUntrusted(tag)} does not match [\\w][\\w.-]{0,127}`, {});
    }
    return new ImageReference(this.registry, this.repository, tag, this.digest);
  }

  /** The same image in another repository, keeping tag and digest (relocation: `reg/org/x:1` -> `mirror/org/x:1`). */
  inRepository(repositoryName: string): ImageReference {
    const target = parseReference(repositoryName);
    if (target.tag !== undefined || target.digest !== undefined) {
      throw referenceError(repositoryName, 'a repository name has no tag or digest', {});
    }
    return new ImageReference(target.registry, target.repository, this.tag, this.digest);
  }

  /** Equivalence (see `referencesEquivalent`). */
  equivalentTo(other: ImageReference | string): boolean {
    const o = typeof other === 'string' ? parseReference(other) : other;
    return this.dockerForm() === o.dockerForm();
  }
}

function referenceError(input: string, what: string, options: ReferenceParseOptions, position?: number): CnabTrustError {
  return new CnabTrustError('E_REFERENCE_INVALID', `invalid image reference ${quoteUntrusted(input)}: ${what}`, {
    subject: options.subject ?? input,
    hint: 'an image reference is [registry[:port]/]repository[:tag][@sha256:<64 hex>], repository in lowercase',
    details: { reference: input, reason: what, ...(position === undefined ? {} : { position }) },
  });
}

/** The name split as distribution's splitDockerDomain does, with where the remainder starts in the input. */
interface RegistrySplit {
  registry: string;
  /** Everything after the registry, with `library/` prepended for one-component Docker Hub names. */
  remainder: string;
  /** Index in the input where the raw remainder starts. */
  start: number;
  /** Whether `library/` was prepended (those characters are not in the input). */
  prefixed: boolean;
}

function splitRegistry(input: string): RegistrySplit {
  const slash = input.indexOf('/');
  let registry = DEFAULT_REGISTRY;
  let remainder = input;
  let start = 0;
  if (slash >= 0) {
    const first = input.slice(0, slash);
    // splitDockerDomain: localhost, anything with "." or ":", or anything not lowercase is a host.
    if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
      registry = first === LEGACY_DEFAULT_REGISTRY ? DEFAULT_REGISTRY : first;
      remainder = input.slice(slash + 1);
      start = slash + 1;
    }
  }
  const prefixed = registry === DEFAULT_REGISTRY && !remainder.includes('/');
  if (prefixed) remainder = OFFICIAL_PREFIX + remainder;
  return { registry, remainder, start, prefixed };
}

/**
 * Parse and normalize an image reference. Throws `E_REFERENCE_INVALID` (or `E_DIGEST_INVALID` for the digest
 * part) naming the reference and what is wrong, with the 1-based position of an offending character.
 */
export function parseReference(input: string, options: ReferenceParseOptions = {}): ImageReference {
  if (typeof input !== 'string') throw referenceError(String(input), 'not a string', options);
  if (input.length === 0) throw referenceError(input, 'empty reference', options);
  if (input.length > MAX_REFERENCE_LENGTH) {
    throw referenceError(input, `longer than ${MAX_REFERENCE_LENGTH} characters (${input.length})`, options);
  }
  for (let i = 0; i < input.length; i++) {
    if (!LEGAL_CHARACTER.test(input[i]!)) {
      throw referenceError(input, `illegal character ${quoteUntrusted(input[i]!)} at position ${i + 1}`, options, i + 1);
    }
  }
  // normalize.go ParseNormalizedNamed: a bare 64-hex string is an image ID, not a name.
  if (IDENTIFIER.test(input)) throw referenceError(input, 'a 64-character hex string is an image ID, not a repository name', options);

  // The registry is decided on the raw text, before tag and digest are split off (as splitDockerDomain does).
  const { registry, remainder, start, prefixed } = splitRegistry(input);
  /** 1-based position in the input of index `j` of the remainder. */
  const position = (j: number): number => start + j - (prefixed ? OFFICIAL_PREFIX.length : 0) + 1;

  if (!DOMAIN.test(registry)) {
    const bad = /[^A-Za-z0-9.\-:[\]]/.exec(registry);
    throw referenceError(
      input,
      `registry ${quoteUntrusted(registry)} is not a valid host[:port]` +
        (bad ? ` (${quoteUntrusted(bad[0])} at position ${bad.index + 1})` : ''),
      options,
      bad ? bad.index + 1 : undefined,
    );
  }

  // reference := name [":" tag] ["@" digest]; after the registry, neither name nor tag contain "@" or ":".
  let name = remainder;
  let digest: string | undefined;
  const atSign = name.indexOf('@');
  if (atSign >= 0) {
    const second = name.indexOf('@', atSign + 1);
    if (second >= 0) throw referenceError(input, `second "@" at position ${position(second)}`, options, position(second));
    digest = parseDigest(name.slice(atSign + 1), { subject: options.subject ?? input }).toString();
    name = name.slice(0, atSign);
  }
  let tag: string | undefined;
  const colon = name.indexOf(':');
  if (colon >= 0) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) throw referenceError(input, tagProblem(tag, (j) => position(colon + 1 + j)), options);
  }

  if (name.length === 0 || name === OFFICIAL_PREFIX) throw referenceError(input, 'missing repository name', options);
  // normalize.go: the repository path must be lowercase.
  const upper = /[A-Z]/.exec(name);
  if (upper) {
    const p = position(upper.index);
    throw referenceError(input, `repository name ${quoteUntrusted(name)} must be lowercase (${quoteUntrusted(upper[0])} at position ${p})`, options, p);
  }
  let offset = 0;
  for (const component of name.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      const what =
        component.length === 0
          ? `empty path component at position ${position(offset)} (doubled, leading or trailing "/")`
          : `path component ${quoteUntrusted(component)} (position ${position(offset)}) must be lowercase letters and digits ` +
            'joined by one ".", one or two "_", or any number of "-"';
      throw referenceError(input, what, options, position(offset));
    }
    offset += component.length + 1;
  }
  if (name.length > MAX_REPOSITORY_LENGTH) {
    throw referenceError(input, `repository name is ${name.length} characters, at most ${MAX_REPOSITORY_LENGTH} are allowed`, options);
  }
  return new ImageReference(registry, name, tag, digest);
}

function tagProblem(tag: string, position: (j: number) => number): string {
  if (tag.length === 0) return 'empty tag after ":"';
  if (tag.length > 128) return `tag is ${tag.length} characters, at most 128 are allowed`;
  const j = /^\w/.test(tag) ? tag.search(/[^\w.-]/) : 0;
  return `tag ${quoteUntrusted(tag)} does not match [\\w][\\w.-]{0,127} (${quoteUntrusted(tag[j]!)} at position ${position(j)})`;
}

/** Parse without throwing: the reference, or undefined when it is invalid. */
export function tryParseReference(input: string): ImageReference | undefined {
  try {
    return parseReference(input);
  } catch {
    return undefined;
  }
}

/** Normalize a reference string (`ubuntu` -> `docker.io/library/ubuntu:latest`). */
export function normalizeReference(input: string, options: ReferenceParseOptions = {}): string {
  return parseReference(input, options).toString();
}

/**
 * Whether two references name the same image: same registry and repository after normalization, and the same
 * digest when pinned (the tag of a pinned reference does not decide what is pulled), else the same tag
 * (`latest` when absent). `ubuntu`, `library/ubuntu` and `docker.io/library/ubuntu:latest` are equivalent.
 * Registry hosts compare as written (distribution does not case-fold them).
 */
export function referencesEquivalent(a: string | ImageReference, b: string | ImageReference): boolean {
  const ra = typeof a === 'string' ? parseReference(a) : a;
  return ra.equivalentTo(b);
}
