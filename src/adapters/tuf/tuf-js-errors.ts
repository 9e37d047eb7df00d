/**
 * Translate what tuf-js 5.0.1 throws into our typed errors, naming the role (or target) at fault.
 *
 * tuf-js wraps failures while loading snapshot and targets metadata into a plain `RuntimeError` whose message
 * embeds the original one ("Unable to load snapshot metadata error Error: snapshot.json is expired"), so the
 * error class alone does not say what went wrong. We classify on the class where it survives and on the
 * message texts of tuf-js 5.0.1 and @tufjs/models 4.1.1 otherwise (the pinned versions; the unit test
 * `tuf-js-errors.test.ts` holds one sample of each message, so an upgrade that changes them fails loudly).
 * When the message does not name a role, the role is the one whose file was requested last.
 */
import { fileURLToPath } from 'node:url';
import { CnabTrustError, type ErrorCode } from '../../core/errors.js';

export interface FailureContext {
  /** What the client was doing: refreshing metadata, looking a target up, or downloading a target file. */
  phase: 'refresh' | 'lookup' | 'download';
  /** The role whose metadata was requested last (from the URL), if any. */
  lastRole?: string;
  /** The target path, for lookup and download. */
  target?: string;
  /** The URL requested last (`file:` for a repository directory), named when a fetch fails. */
  url?: string;
}

/** Where a fetch went, as the user wrote it: a path for a directory, else the URL. */
function shownUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  if (!url.startsWith('file:')) return url;
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

/** Why a fetch failed: the HTTP status, else the errno (ECONNREFUSED, ENOTFOUND, ...), else a timeout. */
function fetchReason(text: string, status: unknown): string | undefined {
  if (typeof status === 'number') return `HTTP ${status}`;
  const errno = /\b(E[A-Z]{2,}[A-Z0-9_]*)\b/.exec(text);
  if (errno !== null) return errno[1];
  const http = /\b(?:status|code)\W+([1-5]\d\d)\b/i.exec(text);
  if (http !== null) return `HTTP ${http[1]}`;
  if (/timeout|aborted/i.test(text)) return 'timed out';
  // else the innermost cause, when short (fetch's 'bad port' for a port the Fetch standard blocks)
  const inner = text.split(' <- ').pop()!.trim();
  return inner.length > 0 && inner.length <= 80 && inner !== text ? inner : undefined;
}

interface Rule {
  pattern: RegExp;
  code: ErrorCode | ((m: RegExpMatchArray, ctx: FailureContext) => ErrorCode);
  /** The role named by the message, if it names one. */
  role?: (m: RegExpMatchArray) => string;
  message: (m: RegExpMatchArray, ctx: FailureContext, why: { text: string; status: unknown }) => string;
}

const stripJson = (s: string): string => s.replace(/\.json$/, '');

/** Ordered: the first rule whose pattern matches the message wins. */
const RULES: Rule[] = [
  {
    // TUF client workflow 5.3.10 / 5.4.4 / 5.5.6 / 5.6.5: freeze attack checks
    pattern: /(?:Final )?(\S+) is expired/,
    code: 'E_TUF_EXPIRED',
    role: (m) => stripJson(m[1]!),
    message: (m) => `${stripJson(m[1]!)} metadata has expired`,
  },
  {
    // TUF client workflow 5.3.4/5.3.5, 5.4.2, 5.5.3, 5.6.3: threshold of signatures from authorized keys
    pattern: /(\S+) was signed by (\d+)\/(\d+) keys/,
    code: (m) => (Number(m[2]) === 0 ? 'E_TUF_SIGNATURE' : 'E_TUF_THRESHOLD'),
    role: (m) => m[1]!,
    message: (m) =>
      Number(m[2]) === 0
        ? `${m[1]} metadata carries no valid signature from a key trusted for the role (threshold ${m[3]})`
        : `${m[1]} metadata is signed by ${m[2]} of the ${m[3]} trusted keys its threshold requires`,
  },
  {
    // TUF client workflow 5.3.5: root version must be exactly trusted + 1
    pattern: /Expected version (\d+), got (\d+)/,
    code: (m) => (Number(m[2]) < Number(m[1]) ? 'E_TUF_ROLLBACK' : 'E_TUF_INVALID'),
    role: () => 'root',
    message: (m) => `root metadata served as version ${m[1]} claims version ${m[2]}`,
  },
  {
    // TUF client workflow 5.4.3.1
    pattern: /New timestamp version (\d+) is less than current version (\d+)/,
    code: 'E_TUF_ROLLBACK',
    role: () => 'timestamp',
    message: (m) => `timestamp version ${m[1]} is older than the trusted version ${m[2]}`,
  },
  {
    // TUF client workflow 5.4.3.2
    pattern: /New snapshot version (\d+) is less than current version (\d+)/,
    code: 'E_TUF_ROLLBACK',
    role: () => 'snapshot',
    message: (m) => `timestamp names snapshot version ${m[1]}, older than the trusted version ${m[2]}`,
  },
  {
    // TUF client workflow 5.5.5
    pattern: /New version (\d+) of (\S+) is less than current version (\d+)/,
    code: 'E_TUF_ROLLBACK',
    role: (m) => stripJson(m[2]!),
    message: (m) => `snapshot names ${stripJson(m[2]!)} version ${m[1]}, older than the trusted version ${m[3]}`,
  },
  {
    // TUF client workflow 5.5.5: a role listed by the trusted snapshot vanished
    pattern: /Missing file (\S+) in new snapshot/,
    code: 'E_TUF_ROLLBACK',
    role: (m) => stripJson(m[1]!),
    message: (m) => `the new snapshot no longer lists ${stripJson(m[1]!)}`,
  },
  {
    // TUF client workflow 5.5.4
    pattern: /Snapshot version doesn't match timestamp/,
    code: 'E_TUF_SNAPSHOT_MISMATCH',
    role: () => 'snapshot',
    message: () => 'snapshot version does not match the version the timestamp names',
  },
  {
    // TUF client workflow 5.6.4
    pattern: /Version (\d+) of (\S+) does not match snapshot version (\d+)/,
    code: 'E_TUF_SNAPSHOT_MISMATCH',
    role: (m) => m[2]!,
    message: (m) => `${m[2]} metadata is version ${m[1]} but the snapshot names version ${m[3]}`,
  },
  {
    pattern: /Missing (\S+) in snapshot/,
    code: 'E_TUF_SNAPSHOT_MISMATCH',
    role: (m) => stripJson(m[1]!),
    message: (m) => `the snapshot does not list ${stripJson(m[1]!)}`,
  },
  {
    // tuf-js reads snapshot.meta[role].length before any check when the snapshot lacks a delegated role
    pattern: /Cannot read properties of undefined \(reading 'length'\)/,
    code: 'E_TUF_SNAPSHOT_MISMATCH',
    role: () => 'snapshot',
    message: () => 'the snapshot does not list the metadata of a delegated role',
  },
  {
    // download size bound: the length the referring metadata states, or the configured maximum
    pattern: /Max length reached/,
    code: (_m, ctx) => (ctx.phase === 'download' ? 'E_TUF_TARGET_MISMATCH' : 'E_TUF_TOO_LARGE'),
    message: (_m, ctx) =>
      ctx.phase === 'download'
        ? 'target file is longer than the signed length'
        : `${ctx.lastRole ?? 'metadata'} file exceeds its size limit`,
  },
  {
    // TUF client workflow 5.5.2, 5.6.2 (metadata) and 5.7.3 (target files)
    pattern: /Expected (length|hash) (\S+) but got (\S+)/,
    code: (_m, ctx) => (ctx.phase === 'download' ? 'E_TUF_TARGET_MISMATCH' : 'E_TUF_SNAPSHOT_MISMATCH'),
    message: (m, ctx) =>
      ctx.phase === 'download'
        ? `target file ${m[1]} ${m[3]} differs from the signed ${m[1]} ${m[2]}`
        : `${ctx.lastRole ?? 'metadata'} file ${m[1]} ${m[3]} differs from the ${m[1]} ${m[2]} its referrer signed`,
  },
  {
    pattern: /[Nn]o delegation(?:s)? found for (\S+)/,
    code: 'E_TUF_DELEGATION',
    role: (m) => m[1]!,
    message: (m) => `no delegation found for ${m[1]}`,
  },
  {
    pattern: /Failed to download|not found: |refused: |fetch failed|ECONNREFUSED|ENOTFOUND|aborted|timeout/i,
    code: 'E_TUF_FETCH',
    message: (_m, ctx, why) => {
      const what = ctx.phase === 'download' ? 'target file' : (ctx.lastRole ?? 'metadata');
      const where = shownUrl(ctx.url);
      const reason = fetchReason(why.text, why.status);
      return `${what} could not be fetched${where === undefined ? '' : ` from ${where}`}${reason === undefined ? '' : `: ${reason}`}`;
    },
  },
];

/** The typed error for a failure of the tuf-js updater. */
export function toTufError(e: unknown, ctx: FailureContext): CnabTrustError {
  if (e instanceof CnabTrustError) return e;
  const text = errorText(e);
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  for (const rule of RULES) {
    const m = text.match(rule.pattern);
    if (!m) continue;
    const code = typeof rule.code === 'function' ? rule.code(m, ctx) : rule.code;
    const role = rule.role?.(m) ?? ctx.lastRole;
    // a target file's failures name the target; metadata failures name the role
    const subject = ctx.phase === 'download' ? ctx.target : role ?? ctx.target;
    return new CnabTrustError(code, rule.message(m, ctx, { text, status }), {
      subject,
      hint: hintFor(code, role),
      details: {
        ...(role === undefined ? {} : { role }),
        ...(typeof status === 'number' ? { status } : {}),
        ...(ctx.url === undefined ? {} : { url: shownUrl(ctx.url) }),
        tuf: text,
      },
      cause: e,
    });
  }
  return new CnabTrustError('E_TUF_INVALID', `TUF metadata rejected: ${text}`, {
    subject: ctx.lastRole ?? ctx.target,
    details: { tuf: text },
    cause: e,
  });
}

/** The message of an error and of the errors it wraps (tuf-js embeds the inner message in the outer one). */
function errorText(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur !== undefined && cur !== null; i++) {
    parts.push(cur instanceof Error ? cur.message : String(cur));
    cur = cur instanceof Error ? (cur as Error & { cause?: unknown }).cause : undefined;
  }
  return parts.join(' <- ');
}

const TOP_LEVEL = new Set(['root', 'timestamp', 'snapshot', 'targets']);

/** The hint for a failure, where the role changes what to do. */
function hintFor(code: ErrorCode, role: string | undefined): string | undefined {
  if (code === 'E_TUF_EXPIRED' && role === 'root') {
    // TUF client workflow 5.3.10: the final root is expired; metadata refresh does not renew a root
    return 'the newest root is expired: the repository must publish a new root version (cnab-trust metadata rotate --role root), or get a newer trusted root out of band';
  }
  if (code === 'E_TUF_EXPIRED' && role !== undefined && !TOP_LEVEL.has(role)) {
    return `the repository must re-sign ${role} (cnab-trust metadata refresh --role ${role})`;
  }
  if (code === 'E_TUF_SIGNATURE' && role !== undefined && TOP_LEVEL.has(role)) {
    return "no key of the trusted root signed it: is --trusted-root this repository's root (and --metadata the repository it trusts)? Otherwise an unknown or revoked key signed it";
  }
  return HINTS[code];
}

const HINTS: Partial<Record<ErrorCode, string>> = {
  E_TUF_EXPIRED: 'the repository must re-sign the role (cnab-trust metadata refresh, for snapshot and timestamp)',
  E_TUF_ROLLBACK: 'the repository serves older metadata than this client already trusts: a rollback attack or a restored backup',
  E_TUF_SIGNATURE: 'the metadata is not signed by a key the delegating role trusts (revoked or unknown key)',
  E_TUF_THRESHOLD: 'collect more signatures before publishing (cnab-trust metadata sign)',
  E_TUF_SNAPSHOT_MISMATCH: 'the repository mixes files from different snapshots (mix-and-match) or a file was altered',
  E_TUF_TOO_LARGE: 'the file exceeds the size bound; a flat targets role may need hashed bins',
  E_TUF_TARGET_MISMATCH: 'the target file differs from what the repository signed',
  E_TUF_FETCH: 'check the metadata URL or directory and that the server is running',
};
