/**
 * CNAB-Sec 301/303 in-toto metadata as TUF targets, as pure decisions:
 *  - the bundle target's `custom.in-toto` lists the root layout and the links of this bundle;
 *  - the layout target's `custom.in-toto` lists the public keys that must have signed the layout;
 *  - the layout and its keys are trusted only when the top-level `targets` role signs them (CNAB-Sec 301:
 *    `targets/releases` signs bundles and links, never the rules of the supply chain);
 *  - the supply chain's final product must be the verified bundle (CNAB-Sec 303 "with the bundle as the final
 *    product"): some product of the summary link has the bundle's sha256.
 */
import { CnabTrustError } from '../errors.js';
import type { LinkModel } from '../intoto/metadata.js';
import type { MetadataSource } from '../intoto/verify.js';
import { quoteUntrusted } from '../reference/digest.js';

/** The top-level role, the only one trusted for layouts and layout keys. */
export const TOP_LEVEL_TARGETS_ROLE = 'targets';

export interface BundleIntotoListing {
  /** Target name of the root layout. */
  layout: string;
  /** Target names of the links, in the order listed. */
  links: string[];
}

function listOf(custom: Record<string, unknown> | undefined, target: string): string[] | undefined {
  const value = custom?.['in-toto'];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new CnabTrustError('E_INTOTO_INVALID', `custom "in-toto" of target ${target} is not a list of target names`, {
      subject: target,
    });
  }
  return value as string[];
}

/**
 * The in-toto listing of a bundle target, or undefined when it has none (the in-toto stage then does not apply).
 * Exactly one `.layout`; every other entry a `.link`.
 */
export function bundleIntotoListing(target: { name: string; custom?: Record<string, unknown> }): BundleIntotoListing | undefined {
  const list = listOf(target.custom, target.name);
  if (list === undefined || list.length === 0) return undefined;
  const layouts = list.filter((n) => n.endsWith('.layout'));
  const links = list.filter((n) => n.endsWith('.link'));
  const other = list.filter((n) => !n.endsWith('.layout') && !n.endsWith('.link'));
  if (layouts.length !== 1 || other.length > 0) {
    throw new CnabTrustError(
      'E_INTOTO_INVALID',
      `custom "in-toto" of target ${target.name} must name one root layout (.layout) and links (.link), got ` +
        `${layouts.length} layout(s)` + (other.length > 0 ? ` and ${other.map((o) => quoteUntrusted(o)).join(', ')}` : ''),
      { subject: target.name, details: { listed: list } },
    );
  }
  return { layout: layouts[0]!, links };
}

/** The key targets a layout target lists (CNAB-Sec 301: "each root layout lists all of the public keys needed"). */
export function layoutKeyTargets(target: { name: string; custom?: Record<string, unknown> }): string[] {
  const list = listOf(target.custom, target.name) ?? [];
  if (list.length === 0) {
    throw new CnabTrustError('E_INTOTO_INVALID', `the layout target ${target.name} lists no public key to verify it with`, {
      subject: target.name,
      hint: 'sign the layout into the repository with its keys (cnab-trust sign --layout ... --layout-keys ...)',
    });
  }
  return list;
}

/** Refuse a layout that is not a target of the top-level `targets` role. */
export function assertLayoutRole(layout: string, role: string): void {
  if (role !== TOP_LEVEL_TARGETS_ROLE) {
    throw new CnabTrustError('E_INTOTO_LAYOUT_UNTRUSTED', `the root layout ${layout} is signed by ${role}, not by the top-level targets role`, {
      subject: layout,
      hint: 'only the (offline) targets role may sign the rules of the supply chain; a delegated role cannot replace them',
      details: { target: layout, role },
    });
  }
}

/** Refuse a layout key that is not a target of the top-level `targets` role. */
export function assertLayoutKeyRole(key: string, role: string): void {
  if (role !== TOP_LEVEL_TARGETS_ROLE) {
    throw new CnabTrustError('E_INTOTO_LAYOUT_KEY_UNTRUSTED', `the layout key ${key} is signed by ${role}, not by the top-level targets role`, {
      subject: key,
      hint: 'layout keys are trusted only as targets of the top-level targets role (CNAB-Sec 301)',
      details: { target: key, role },
    });
  }
}

/**
 * Where a link target sits below the links root of its bundle: CNAB-Sec 301 isolates a bundle's links in
 * `<gun>/in-toto-metadata/<bundle-sha256>/`, sublayout links one folder deeper (`<step>.<keyid8>/`). A link
 * elsewhere is placed by its base name.
 */
export function linkPathSegments(linkTarget: string, bundleSha256Hex: string): string[] {
  const marker = `/${bundleSha256Hex}/`;
  const at = linkTarget.indexOf(marker);
  const rest = at >= 0 ? linkTarget.slice(at + marker.length) : linkTarget.slice(linkTarget.lastIndexOf('/') + 1);
  return rest.split('/');
}

/** Links fetched through TUF, served to the in-toto verifier from memory. */
export class MemoryMetadataSource implements MetadataSource {
  private readonly files = new Map<string, Uint8Array>();

  add(segments: readonly string[], bytes: Uint8Array): void {
    this.files.set(segments.join('/'), bytes);
  }

  async read(dir: readonly string[], name: string): Promise<Uint8Array | undefined> {
    return this.files.get([...dir, name].join('/'));
  }
}

/** Bounds on the in-toto links one verification downloads (an attacker can list 16 links of 60 MB, signed by nobody). */
export interface LinkBudget {
  /** Most links a target may list. Default 1,000. */
  maxLinks: number;
  /** Most bytes of links downloaded, by their signed TUF lengths. Default 64 MiB. */
  maxBytes: number;
}

export const DEFAULT_LINK_BUDGET: Readonly<LinkBudget> = Object.freeze({ maxLinks: 1000, maxBytes: 64 * 1024 * 1024 });

/**
 * Links listed by a bundle target, served to the in-toto verifier on demand: a link is downloaded only when the
 * verifier asks for it, i.e. only `<step>.<keyid[:8]>.link` of an authorized functionary (or inside such a
 * functionary's sublayout folder); a listed file no step can use is never fetched or parsed. Each download is
 * charged to the budget by its signed length before any byte is read.
 */
export class LazyLinkSource implements MetadataSource {
  private readonly listed = new Map<string, string>();
  private spent = 0;

  constructor(
    private readonly subject: string,
    private readonly access: { length(target: string): Promise<number>; read(target: string): Promise<Uint8Array> },
    private readonly budget: LinkBudget = DEFAULT_LINK_BUDGET,
  ) {}

  /** List one link target under its path below the links root; refuses more links than the budget allows. */
  add(segments: readonly string[], target: string): void {
    if (this.listed.size >= this.budget.maxLinks) {
      throw new CnabTrustError('E_FILE_TOO_LARGE', `${this.subject} lists more than ${this.budget.maxLinks} in-toto links`, {
        subject: this.subject,
        hint: 'a release with this many links was not written by cnab-trust; do not install it',
        details: { limit: this.budget.maxLinks },
      });
    }
    this.listed.set(segments.join('/'), target);
  }

  async read(dir: readonly string[], name: string): Promise<Uint8Array | undefined> {
    const target = this.listed.get([...dir, name].join('/'));
    if (target === undefined) return undefined;
    const length = await this.access.length(target);
    this.spent += length;
    if (this.spent > this.budget.maxBytes) {
      throw new CnabTrustError('E_FILE_TOO_LARGE', `the in-toto links of ${this.subject} add up to more than ${this.budget.maxBytes} bytes (at ${target}, ${length} bytes)`, {
        subject: target,
        hint: 'links this large were not written by a build step; do not install this release',
        details: { limit: this.budget.maxBytes, length },
      });
    }
    return this.access.read(target);
  }
}

/** The path of a product with this sha256 among some links' products, if any. */
export function productWithSha256(links: Iterable<Pick<LinkModel, 'products'>>, sha256Hex: string): string | undefined {
  for (const link of links) {
    for (const [name, hashes] of Object.entries(link.products)) if (hashes['sha256'] === sha256Hex) return name;
  }
  return undefined;
}

/** Longest file name component most file systems take (NAME_MAX), and a bound on a whole relative path. */
const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_BYTES = 1024;
const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/**
 * Where the final product goes in the inspections' scratch directory: the path segments of a (signed) product
 * name, or an E_INTOTO_INSPECTION naming it when no file system could hold it (a NUL, `..`, a component longer
 * than 255 bytes): a product name must never reach the file system as it is.
 */
export function finalProductSegments(name: string): string[] {
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  const bad =
    name.includes('\0') || segments.length === 0 || segments.includes('..') || utf8Length(name) > MAX_PATH_BYTES
      ? true
      : segments.some((s) => utf8Length(s) > MAX_SEGMENT_BYTES);
  if (bad) {
    throw new CnabTrustError('E_INTOTO_INSPECTION', `the final product ${quoteUntrusted(name)} cannot be placed in the inspections' scratch directory`, {
      subject: quoteUntrusted(name),
      hint: 'a product name for inspections must be a relative path without NUL or .., each component at most 255 bytes; or pass --no-inspections',
    });
  }
  return segments;
}

/** CNAB-Sec 303: the verified supply chain must have produced this very bundle. */
export function assertFinalProduct(summary: Pick<LinkModel, 'products'>, bundleSha256Hex: string, layout: string): string {
  const found = productWithSha256([summary], bundleSha256Hex);
  if (found === undefined) {
    throw new CnabTrustError(
      'E_INTOTO_FINAL_PRODUCT',
      `no product of the last step of ${layout} has the bundle's sha256 ${bundleSha256Hex}`,
      {
        subject: layout,
        hint: 'the supply chain verified, but it did not produce this bundle (the last step must record the signed bundle bytes as a product)',
        details: { sha256: bundleSha256Hex, products: Object.keys(summary.products) },
      },
    );
  }
  return found;
}
