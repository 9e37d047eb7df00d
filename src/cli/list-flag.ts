/**
 * Flags that take a list of files, in either spelling: comma-separated (`--layout-keys a.pub,b.pub`, as `sign` and
 * `pipeline` were first documented) or space-separated / repeated (`--layout-keys a.pub b.pub`, `--layout-keys a.pub
 * --layout-keys b.pub`, as in-toto's own `in-toto-verify` takes them). The forms may be mixed; empty items are dropped.
 * A positional argument must come before such a flag (its values run up to the next flag).
 */

/** The yargs option of a list flag: every command declares its list flags through this, so all take both forms. */
export function listOption(describe: string) {
  return { type: 'string', array: true, coerce: splitList, describe: `${describe} (comma-separated or repeated)` } as const;
}

/** `['a,b', 'c']` -> `['a', 'b', 'c']`: the values yargs collected, each split at its commas. */
export function splitList(values: unknown): string[] {
  return (Array.isArray(values) ? values : [values])
    .flatMap((v) => String(v).split(','))
    .filter((s) => s !== '');
}
