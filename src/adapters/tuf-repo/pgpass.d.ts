/** The `pgpass` package (libpq's ~/.pgpass and PGPASSFILE lookup, as pg uses it) ships no types. */
declare module 'pgpass' {
  function pgpass(connInfo: { host?: string; port?: string | number; database?: string; user?: string }, cb: (password: string | undefined) => void): void;
  export default pgpass;
}
