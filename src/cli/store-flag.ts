/**
 * `--store`: where the TUF repository lives, for every command that reads or writes it (init, sign, metadata,
 * status, list, serve, publish). A `postgres://` URL (the password from PGPASSWORD or ~/.pgpass, or in the URL),
 * or a directory; default CNAB_TRUST_STORE, else the `--metadata` directory.
 */
export const storeOption = {
  type: 'string',
  describe: 'repository store: postgres://USER@HOST:PORT/DATABASE or a directory (default: $CNAB_TRUST_STORE, else --metadata)',
} as const;
