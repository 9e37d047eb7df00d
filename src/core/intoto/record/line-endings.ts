/**
 * Line-ending normalization before hashing (in-toto `--normalize-line-endings`, securesystemslib
 * `digest_fileobject(normalize_line_endings=True)`): CRLF becomes LF, then every remaining CR becomes LF.
 *
 * securesystemslib reads 4096-byte chunks and, when a chunk ends in CR, reads on until it does not, so the
 * result equals the replacement over the whole file. That replacement is the same as this byte rule:
 * a CR is written as LF, and an LF right after a CR is dropped. This transform applies the rule over any
 * chunking, keeping the one bit of state (did the previous chunk end in CR) between calls.
 */
const CR = 0x0d;
const LF = 0x0a;

export class LineEndingNormalizer {
  private afterCr = false;

  /** Normalize the next chunk; the result may be the input itself (no CR, no leading LF after CR) or a view of a new buffer. */
  transform(chunk: Uint8Array): Uint8Array {
    let start = 0;
    if (this.afterCr && chunk.length > 0 && chunk[0] === LF) start = 1; // the LF of a CRLF split across chunks
    if (chunk.length > 0) this.afterCr = chunk[chunk.length - 1] === CR;
    let cr = chunk.indexOf(CR, start);
    if (cr === -1) return start === 0 ? chunk : chunk.subarray(start);
    const out = new Uint8Array(chunk.length - start);
    let w = 0;
    let r = start;
    while (cr !== -1) {
      out.set(chunk.subarray(r, cr), w);
      w += cr - r;
      out[w++] = LF;
      r = cr + 1;
      if (r < chunk.length && chunk[r] === LF) r++; // CRLF -> LF
      cr = chunk.indexOf(CR, r);
    }
    out.set(chunk.subarray(r), w);
    w += chunk.length - r;
    return out.subarray(0, w);
  }
}

/** Normalize a whole buffer at once (for small inputs and tests). */
export function normalizeLineEndings(data: Uint8Array): Uint8Array {
  return new LineEndingNormalizer().transform(data);
}
