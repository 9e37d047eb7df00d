/**
 * A pass-through stream that hashes and counts what flows and fails at the end if the bytes are not the
 * descriptor's (digest and size), or as soon as they exceed its size. Fetched blobs are verified while streaming.
 */
import { CnabTrustError } from '../../core/errors.js';
import { digestMismatch, hasherFor } from '../../core/oci/digest.js';
import type { Descriptor } from '../../core/oci/descriptor.js';

export interface VerifyOptions {
  /** Called for each chunk (progress, idle timers). */
  onChunk?: (bytes: number) => void;
  /** Called when the stream ends (before the final check). */
  onEnd?: () => void;
}

export function verifyingStream(descriptor: Descriptor, subject: string, options: VerifyOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  const hash = hasherFor(descriptor.digest);
  let seen = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > descriptor.size) {
        controller.error(
          new CnabTrustError('E_LENGTH_MISMATCH', `${subject} is longer than the ${descriptor.size} bytes its descriptor says`, {
            subject,
            details: { expected: descriptor.size, atLeast: seen },
          }),
        );
        return;
      }
      hash.update(chunk);
      options.onChunk?.(chunk.byteLength);
      controller.enqueue(chunk);
    },
    flush(controller) {
      options.onEnd?.();
      if (seen !== descriptor.size) {
        controller.error(
          new CnabTrustError('E_LENGTH_MISMATCH', `${subject} is ${seen} bytes, its descriptor says ${descriptor.size}`, {
            subject,
            details: { expected: descriptor.size, actual: seen },
          }),
        );
        return;
      }
      const algorithm = descriptor.digest.slice(0, descriptor.digest.indexOf(':'));
      const actual = `${algorithm}:${hash.digest('hex')}`;
      if (actual !== descriptor.digest) controller.error(digestMismatch(subject, descriptor.digest, actual));
    },
  },
  // buffer up to ~4 MiB on each side so that reading the source and writing the target overlap
  new ByteLengthQueuingStrategy({ highWaterMark: 4 << 20 }),
  new ByteLengthQueuingStrategy({ highWaterMark: 4 << 20 }),
  );
}

/** Read a stream whole, refusing more than `maxBytes`. */
export async function readAll(stream: ReadableStream<Uint8Array>, maxBytes: number, subject: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new CnabTrustError('E_OCI_TOO_LARGE', `${subject} is over the bound of ${maxBytes} bytes`, {
        subject,
        details: { max: maxBytes },
      });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
