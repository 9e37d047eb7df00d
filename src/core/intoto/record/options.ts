/** What artifact recording takes and gives (in-toto 1.3.1 `record_artifacts_as_dict`). */

/** How to record: every field optional, defaults as `in-toto-run` (not the python API). */
export interface RecordOptions {
  /** gitwildmatch patterns; none (or an empty list) means the in-toto defaults `*.link*`, `.git`, `*.pyc`, `*~`. */
  excludePatterns?: readonly string[];
  /** Directory to record from; keys are relative to it. Default: the current working directory. */
  basePath?: string;
  /** Walk into symlinked directories (the link's name is recorded). `in-toto-run` does; default true. */
  followSymlinkDirs?: boolean;
  /** CRLF -> LF, then CR -> LF, before hashing. Default false. */
  normalizeLineEndings?: boolean;
  /** Prefixes stripped from recorded paths (first match wins). */
  lstripPaths?: readonly string[];
}

/** The hashes of one artifact: hex lowercase, keyed by algorithm (in-toto records `sha256`). */
export type HashDict = { sha256: string } & Record<string, string>;

/** Recorded artifacts: path -> hashes. */
export type ArtifactDict = Record<string, HashDict>;
