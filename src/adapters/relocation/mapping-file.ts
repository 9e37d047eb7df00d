/** A CNAB 103 relocation mapping file, read bounded and strictly (duplicate keys refused). */
import { parseRelocationMapping } from '../../core/relocation/index.js';
import { readJsonFile } from '../fs/index.js';

/** Largest relocation mapping file read: 4 MiB (a mapping line is ~200 bytes; this only stops abuse). */
export const MAX_RELOCATION_MAPPING_BYTES = 4 * 1024 * 1024;

/** Read a relocation mapping file (strict JSON: duplicate keys refused) into the core model. */
export async function readRelocationMapping(file: string) {
  const { value } = await readJsonFile(file, { what: 'relocation mapping', maxBytes: MAX_RELOCATION_MAPPING_BYTES });
  return parseRelocationMapping(value, { source: file });
}
