/**
 * The one module of typed errors (docs/architecture.md §6).
 *
 * Every failure the toolkit reports is a `CnabTrustError` with:
 *  - a stable `code` from the closed union `ErrorCode` (callers switch on codes, never on messages),
 *  - a `subject` naming what is at fault (file, role, target, image, step, rule, key),
 *  - an optional `hint` telling the user what to do next,
 *  - optional structured `details` that `--json` output carries verbatim.
 *
 * Secrets never go into a message, subject, hint or details.
 *
 * Codes are grouped by area; add new codes to the area's group and document them in README "Error codes".
 */

/** What kind of failure a code is; the CLI maps a category to an exit status. */
export type ErrorCategory =
  /** The input was examined and is not trustworthy or not valid: exit 1. */
  | 'verification'
  /** The command line is wrong: exit 2. */
  | 'usage'
  /** A file, registry or server could not be read or written: exit 3. */
  | 'io'
  /** A bug: exit 4. */
  | 'internal';

const CODES = {
  // --- generic input ---------------------------------------------------------------------------
  E_USAGE: 'usage',
  E_FILE_NOT_FOUND: 'io',
  E_FILE_TOO_LARGE: 'verification',
  E_IO: 'io',
  E_JSON_PARSE: 'verification',
  E_JSON_DUPLICATE_KEY: 'verification',
  E_JSON_TOO_LARGE: 'verification',
  E_JSON_TOO_DEEP: 'verification',
  E_JSON_NUMBER_PRECISION: 'verification',
  E_CANONICAL_FLOAT: 'verification',
  E_CANONICAL_TYPE: 'verification',
  E_INTERNAL: 'internal',

  // --- CNAB bundles (core/cnab) ----------------------------------------------------------------
  E_BUNDLE_SCHEMA: 'verification',
  E_ARCHIVE_UNSAFE: 'verification',
  E_ARCHIVE_INVALID: 'verification',
  E_ARCHIVE_TOO_LARGE: 'verification',

  // --- image references (core/reference) -------------------------------------------------------
  E_REFERENCE_INVALID: 'verification',
  E_DIGEST_INVALID: 'verification',

  // --- relocation (core/relocation) -----------------------------------------------------------
  E_RELOCATION_INVALID: 'verification',
  E_RELOCATION_MISSING: 'verification',
  E_RELOCATED_DIGEST_MISMATCH: 'verification',
  E_RELOCATED_IMAGE_MISSING: 'verification',
  E_IMAGE_UNPINNED: 'verification',
  E_IMAGE_PIN_CONFLICT: 'verification',

  // --- digests of what was fetched --------------------------------------------------------------
  E_DIGEST_MISMATCH: 'verification',
  E_LENGTH_MISMATCH: 'verification',

  // --- keys and signatures (core/crypto) ------------------------------------------------------
  E_KEY_INVALID: 'verification',
  E_KEY_UNSUPPORTED: 'verification',
  E_KEYID_MISMATCH: 'verification',
  E_KEY_EXPIRED: 'verification',
  E_SIGNATURE_INVALID: 'verification',
  E_PASSPHRASE: 'usage',
  /** The passphrase given does not open the key: untrustworthy input, not a usage error (exit 1). */
  E_PASSPHRASE_WRONG: 'verification',
  /** Private key material where a public key is expected, or about to be published. */
  E_KEY_PRIVATE: 'usage',

  // --- TUF (core/tuf, adapters/tuf) -----------------------------------------------------------
  E_TUF_INVALID: 'verification',
  E_TUF_EXPIRED: 'verification',
  E_TUF_ROLLBACK: 'verification',
  E_TUF_THRESHOLD: 'verification',
  E_TUF_SIGNATURE: 'verification',
  E_TUF_TARGET_NOT_FOUND: 'verification',
  E_TUF_TARGET_MISMATCH: 'verification',
  E_TUF_SNAPSHOT_MISMATCH: 'verification',
  E_TUF_TOO_LARGE: 'verification',
  E_TUF_DELEGATION: 'verification',
  E_TUF_FETCH: 'io',
  E_TUF_REPOSITORY: 'usage',
  E_TUF_LOCKED: 'io',
  E_TUF_STAGED: 'verification',
  E_TUF_MAP_INVALID: 'usage',
  E_TUF_CONSENSUS: 'verification',

  // --- repository stores (adapters/tuf-repo) ---------------------------------------------------
  /** The database of a shared repository cannot be reached (down, restarting, no such database). */
  E_STORE_UNAVAILABLE: 'io',
  /** The database refused the credentials (from the URL, PGPASSWORD or ~/.pgpass). */
  E_STORE_AUTH: 'io',
  /** The database was written by a newer cnab-trust (schema version above ours). */
  E_STORE_SCHEMA: 'usage',

  // --- in-toto (core/intoto) --------------------------------------------------------------------
  E_INTOTO_INVALID: 'verification',
  E_INTOTO_LAYOUT_SIGNATURE: 'verification',
  E_INTOTO_LAYOUT_EXPIRED: 'verification',
  E_INTOTO_LINK_NOT_FOUND: 'verification',
  E_INTOTO_THRESHOLD: 'verification',
  E_INTOTO_RULE: 'verification',
  E_INTOTO_INSPECTION: 'verification',
  E_INTOTO_LAYOUT_KEY_UNTRUSTED: 'verification',
  E_INTOTO_DESCRIPTION: 'verification',
  E_INTOTO_PATH: 'verification',
  E_ATTESTATION_INVALID: 'verification',

  // --- OCI (adapters/oci) -------------------------------------------------------------------------
  E_OCI_UNREACHABLE: 'io',
  /** A server stalled: no data within the idle timeout, or the read not done by its deadline (any network read). */
  E_NETWORK_TIMEOUT: 'io',
  E_OCI_AUTH: 'io',
  E_OCI_NOT_FOUND: 'verification',
  E_OCI_DIGEST_MISMATCH: 'verification',
  E_OCI_TOO_LARGE: 'verification',
  E_OCI_MEDIA_TYPE: 'verification',
  E_OCI_INDEX_INVALID: 'verification',
  E_OCI_PROTOCOL: 'io',
  E_FIXUP_SIGNED: 'usage',

  // --- end-to-end verify ------------------------------------------------------------------------
  /** The root layout is a target of a role other than the top-level `targets` (CNAB-Sec 301). */
  E_INTOTO_LAYOUT_UNTRUSTED: 'verification',
  /** The in-toto supply chain verified but none of its final products is the verified bundle (CNAB-Sec 303). */
  E_INTOTO_FINAL_PRODUCT: 'verification',
  /** The bundle target lists no in-toto metadata although `targets` (a policy) or the operator requires it. */
  E_INTOTO_REQUIRED: 'verification',
} as const satisfies Record<string, ErrorCategory>;

/** Every stable error code. */
export type ErrorCode = keyof typeof CODES;

/** The category of a code (and so the CLI's exit status). */
export function categoryOf(code: ErrorCode): ErrorCategory {
  return CODES[code];
}

/** All known codes, for documentation and tests. */
export const ERROR_CODES: readonly ErrorCode[] = Object.keys(CODES) as ErrorCode[];

export interface ErrorOptions {
  /** What is at fault: a file, role, target, image, step, rule or key. */
  subject?: string;
  /** What the user can do about it. */
  hint?: string;
  /** Structured facts for `--json` (digests, references, expected vs actual). No secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The base of every error the toolkit raises on purpose. */
export class CnabTrustError extends Error {
  readonly code: ErrorCode;
  readonly subject: string | undefined;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CnabTrustError';
    this.code = code;
    this.subject = options.subject;
    this.hint = options.hint;
    this.details = options.details;
  }

  get category(): ErrorCategory {
    return categoryOf(this.code);
  }

  /** The stable machine form used by `--json`. */
  toJSON(): { code: ErrorCode; message: string; subject?: string; hint?: string; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.subject === undefined ? {} : { subject: this.subject }),
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isCnabTrustError(e: unknown): e is CnabTrustError {
  return e instanceof CnabTrustError;
}

/** Exit statuses of the CLI (documented in README "Exit codes"). */
export const EXIT = {
  OK: 0,
  VERIFICATION: 1,
  USAGE: 2,
  IO: 3,
  INTERNAL: 4,
  /** Interrupted by SIGINT (Ctrl-C), as shells report it: 128 + 2. */
  INTERRUPTED: 130,
} as const;

/** The exit status of an error (a foreign error is a bug: INTERNAL). */
export function exitStatusOf(e: unknown): number {
  if (isCnabTrustError(e) && e.details?.['interrupted'] === 'SIGINT') return EXIT.INTERRUPTED;
  return isCnabTrustError(e) ? exitStatusOfCode(e.code) : EXIT.INTERNAL;
}

/** The exit status of a code, e.g. of a report's `error.code` (no need to rebuild the error). */
export function exitStatusOfCode(code: ErrorCode): number {
  switch (categoryOf(code)) {
    case 'verification':
      return EXIT.VERIFICATION;
    case 'usage':
      return EXIT.USAGE;
    case 'io':
      return EXIT.IO;
    case 'internal':
      return EXIT.INTERNAL;
  }
}
