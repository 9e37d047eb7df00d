/** Local files: bounded reads with errors naming the file, atomic writes, streaming digests. */
export { readFileBounded, readJsonFile, fsError, DEFAULT_MAX_FILE_BYTES, type ReadBoundedOptions } from './read.js';
export { writeFileAtomic, writeFileAtomicSync, renameDurably, type AtomicWriteOptions } from './write.js';
export { sha256File, type FileDigest } from './digest.js';
export { createFileExclusiveSync, isDirectory, isRegularFile, listDirectory, pathExists, pathExistsAsync, regularFileSize, removeFileIfPresent } from './probe.js';
