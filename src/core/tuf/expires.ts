/**
 * TUF `expires` timestamps: ISO 8601 in UTC without fractional seconds (`2026-11-26T13:00:00Z`), because python-tuf
 * rejects milliseconds and `Date.toISOString()` always writes them.
 */
const DAY_MS = 24 * 60 * 60 * 1000;

/** Default validity periods in days (CNAB-Sec 301). */
export const DEFAULT_EXPIRY_DAYS: Readonly<Record<string, number>> = {
  root: 365,
  targets: 30,
  'targets/releases': 30,
  snapshot: 1,
  timestamp: 1,
};

/** The period of a role: its own, else its parent delegation's (bins inherit `targets/releases`). */
export function expiryDaysOf(role: string, periods: Readonly<Record<string, number>>): number {
  let r = role;
  for (;;) {
    const d = periods[r] ?? DEFAULT_EXPIRY_DAYS[r];
    if (d !== undefined) return d;
    const slash = r.lastIndexOf('/');
    if (slash < 0) return DEFAULT_EXPIRY_DAYS.targets as number;
    r = r.slice(0, slash);
  }
}

/** `now + days`, formatted for TUF `expires` (whole seconds, `Z`). */
export function expiresAfter(now: Date, days: number): string {
  return formatExpires(new Date(now.getTime() + days * DAY_MS));
}

export function formatExpires(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Whole days (may be negative) from `now` until `expires`. */
export function daysUntil(expires: string, now: Date): number {
  return (Date.parse(expires) - now.getTime()) / DAY_MS;
}
