/**
 * An OCI image layout directory as an `OciStore` (image-spec image-layout.md): `oci-layout`, `index.json`,
 * `blobs/<algorithm>/<hex>`. Tags are `index.json` entries annotated `org.opencontainers.image.ref.name`, as
 * skopeo and oras write them. Referenced as `oci:<dir>:<tag>`; the embedded default store of the toolkit, and the
 * format of airgap transfers.
 *
 * Blobs are written to a temporary file in the same directory, hashed while written, fsynced and renamed into
 * place only when their digest holds; `index.json` is replaced atomically the same way. Every read opens only a
 * regular file inside the layout (a FIFO, a device, a symlink out of the directory are refused: E_ARCHIVE_UNSAFE)
 * and is bounded.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { CnabTrustError } from '../../core/errors.js';
import { assertDigest, digestMismatch, digestOf, isValidDigest, verifyDigest } from '../../core/oci/digest.js';
import { parseDescriptor, type Descriptor } from '../../core/oci/descriptor.js';
import { MAX_MANIFEST_BYTES, parseManifest, parseManifestJson } from '../../core/oci/manifest.js';
import { OCI_INDEX } from '../../core/oci/media-types.js';
import type { FetchedManifest, OciStore } from './store.js';
import { readAll, verifyingStream } from './verify-stream.js';
import { renameDurably, writeFileAtomic } from '../fs/index.js';
import { openContainedFile, readContainedFile, type ContainedFile } from '../fs/contained-file.js';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

interface LayoutIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export class LayoutStore implements OciStore {
  readonly name: string;
  private indexLock: Promise<unknown> = Promise.resolve();

  constructor(readonly directory: string) {
    this.name = `oci:${directory}`;
  }

  private blobPath(digest: string): string {
    assertDigest(digest);
    const [algorithm, hex] = digest.split(':') as [string, string];
    return path.join(this.directory, 'blobs', algorithm, hex);
  }

  /** Open a file of the layout for reading: a regular file inside it, or undefined when absent. */
  private openFile(file: string, subject: string): Promise<ContainedFile | undefined> {
    return openContainedFile(file, this.directory, (why) =>
      new CnabTrustError('E_ARCHIVE_UNSAFE', `${subject}: ${file} ${why}`, { subject, hint: 'an OCI image layout holds regular files only: do not use this directory' })).catch(
      (e: unknown) => {
        throw ioError(file, e, 'read');
      },
    );
  }

  /** The whole of a file of the layout, at most `maxBytes`; undefined when absent. */
  private async readFileOf(file: string, subject: string, maxBytes: number): Promise<Buffer | undefined> {
    const opened = await this.openFile(file, subject);
    if (opened === undefined) return undefined;
    try {
      return await readContainedFile(opened, maxBytes, (size) => tooLarge(subject, size, maxBytes));
    } finally {
      await opened.handle.close();
    }
  }

  private subject(reference: string): string {
    return isValidDigest(reference) ? `${this.name}@${reference}` : `${this.name}:${reference}`;
  }

  /** Create `oci-layout` and an empty `index.json` when the directory is not a layout yet. */
  async init(): Promise<void> {
    await mkdir(path.join(this.directory, 'blobs', 'sha256'), { recursive: true });
    const marker = path.join(this.directory, 'oci-layout');
    if (!(await exists(marker))) await writeFileAtomic(marker, Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
    const index = path.join(this.directory, 'index.json');
    if (!(await exists(index))) await writeFileAtomic(index, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] })));
  }

  /** index.json; with `missingOk`, a directory that is not a layout yet reads as an empty one. */
  private async readIndex(missingOk = false): Promise<LayoutIndex> {
    const file = path.join(this.directory, 'index.json');
    const bytes = await this.readFileOf(file, this.name, MAX_MANIFEST_BYTES);
    if (bytes === undefined) {
      if (missingOk) return { schemaVersion: 2, manifests: [] };
      throw new CnabTrustError('E_OCI_NOT_FOUND', `${this.directory} is not an OCI image layout (no index.json)`, { subject: this.name });
    }
    const json = parseManifestJson(bytes, file, MAX_MANIFEST_BYTES);
    if (!Array.isArray(json.manifests)) {
      throw new CnabTrustError('E_OCI_INDEX_INVALID', `${file} has no "manifests" array`, { subject: file });
    }
    const manifests = json.manifests.map((d, i) => parseDescriptor(d, `${file} manifests[${i}]`));
    return { ...(json as unknown as LayoutIndex), manifests };
  }

  /** Serialize read-modify-write of index.json within this process. */
  private updateIndex(change: (index: LayoutIndex) => LayoutIndex): Promise<void> {
    const run = this.indexLock.then(async () => {
      await this.init();
      const next = change(await this.readIndex());
      await writeFileAtomic(path.join(this.directory, 'index.json'), Buffer.from(JSON.stringify(next)));
    });
    this.indexLock = run.catch(() => undefined);
    return run;
  }

  /** The tags of this layout and what they point at. */
  async tags(): Promise<Map<string, Descriptor>> {
    const out = new Map<string, Descriptor>();
    for (const d of (await this.readIndex()).manifests) {
      const tag = d.annotations?.[REF_NAME_ANNOTATION];
      if (tag !== undefined) out.set(tag, d);
    }
    return out;
  }

  async resolve(reference: string): Promise<Descriptor | undefined> {
    const index = await this.readIndex(true);
    if (isValidDigest(reference)) {
      const listed = index.manifests.find((d) => d.digest === reference);
      if (listed !== undefined) return { mediaType: listed.mediaType, digest: listed.digest, size: listed.size };
      const bytes = await this.readFileOf(this.blobPath(reference), this.subject(reference), MAX_MANIFEST_BYTES);
      if (bytes === undefined) return undefined;
      verifyDigest(bytes, reference, this.subject(reference));
      const m = parseManifest(bytes, this.subject(reference));
      return { mediaType: m.mediaType, digest: reference, size: bytes.byteLength };
    }
    const found = index.manifests.find((d) => d.annotations?.[REF_NAME_ANNOTATION] === reference);
    return found === undefined ? undefined : { mediaType: found.mediaType, digest: found.digest, size: found.size };
  }

  async fetchManifest(reference: string, maxBytes = MAX_MANIFEST_BYTES): Promise<FetchedManifest> {
    const subject = this.subject(reference);
    const descriptor = await this.resolve(reference);
    if (descriptor === undefined) throw new CnabTrustError('E_OCI_NOT_FOUND', `manifest ${subject} not found`, { subject });
    if (descriptor.size > maxBytes) throw tooLarge(subject, descriptor.size, maxBytes);
    const bytes = await this.readBlobFile(descriptor, maxBytes, subject);
    return { descriptor, bytes };
  }

  private async readBlobFile(descriptor: Descriptor, maxBytes: number, subject: string): Promise<Uint8Array> {
    const bytes = await this.readFileOf(this.blobPath(descriptor.digest), subject, maxBytes);
    if (bytes === undefined) throw new CnabTrustError('E_OCI_NOT_FOUND', `${subject} not found in ${this.directory}`, { subject });
    if (bytes.byteLength !== descriptor.size) {
      throw new CnabTrustError('E_LENGTH_MISMATCH', `${subject} is ${bytes.byteLength} bytes, its descriptor says ${descriptor.size}`, {
        subject,
        details: { expected: descriptor.size, actual: bytes.byteLength },
      });
    }
    verifyDigest(bytes, descriptor.digest, subject);
    return bytes;
  }

  async pushManifest(bytes: Uint8Array, mediaType: string, reference?: string): Promise<Descriptor> {
    const digest = digestOf(bytes);
    if (reference !== undefined && isValidDigest(reference) && reference !== digest) throw digestMismatch(this.subject(reference), reference, digest);
    const descriptor: Descriptor = { mediaType, digest, size: bytes.byteLength };
    await this.pushBlob(descriptor, bytes);
    if (reference !== undefined && !isValidDigest(reference)) {
      if (!TAG.test(reference)) {
        throw new CnabTrustError('E_REFERENCE_INVALID', `invalid tag ${JSON.stringify(reference.slice(0, 130))}`, { subject: this.name });
      }
      await this.updateIndex((index) => ({
        ...index,
        manifests: [
          ...index.manifests.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] !== reference),
          { ...descriptor, annotations: { [REF_NAME_ANNOTATION]: reference } },
        ],
      }));
    }
    return descriptor;
  }

  async hasBlob(descriptor: Descriptor): Promise<boolean> {
    const st = await stat(this.blobPath(descriptor.digest)).catch(() => undefined);
    return st !== undefined && st.isFile() && st.size === descriptor.size;
  }

  async openBlob(descriptor: Descriptor, onChunk?: (bytes: number) => void): Promise<ReadableStream<Uint8Array>> {
    const subject = `${this.name}@${descriptor.digest}`;
    const opened = await this.openFile(this.blobPath(descriptor.digest), subject);
    if (opened === undefined) throw new CnabTrustError('E_OCI_NOT_FOUND', `blob ${subject} not found`, { subject });
    // at most one byte more than the descriptor's size is read: the verifying stream then refuses the length
    const stream = opened.handle.createReadStream({ highWaterMark: 1 << 20, start: 0, end: descriptor.size, autoClose: true });
    const source = Readable.toWeb(stream) as ReadableStream<Uint8Array>;
    return source.pipeThrough(verifyingStream(descriptor, subject, onChunk === undefined ? {} : { onChunk }));
  }

  async fetchBlob(descriptor: Descriptor, maxBytes: number): Promise<Uint8Array> {
    const subject = `${this.name}@${descriptor.digest}`;
    if (descriptor.size > maxBytes) throw tooLarge(subject, descriptor.size, maxBytes);
    return readAll(await this.openBlob(descriptor), maxBytes, subject);
  }

  async pushBlob(descriptor: Descriptor, content: Uint8Array | ReadableStream<Uint8Array>): Promise<void> {
    const subject = `${this.name}@${descriptor.digest}`;
    const target = this.blobPath(descriptor.digest);
    if (await this.hasBlob(descriptor)) {
      if (content instanceof ReadableStream) await content.cancel().catch(() => undefined);
      return;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await this.init();
    const temp = path.join(path.dirname(target), `.tmp-${randomBytes(8).toString('hex')}`);
    try {
      const source = content instanceof Uint8Array ? new Blob([content]).stream() : content;
      // hashed while written; renamed into place only when digest and size hold
      const out = createWriteStream(temp, { flags: 'wx', mode: 0o644 });
      await source.pipeThrough(verifyingStream(descriptor, subject)).pipeTo(Writable.toWeb(out));
      await renameDurably(temp, target); // fsync, rename, fsync the directory
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}


function ioError(file: string, e: unknown, action = 'write'): CnabTrustError {
  if (e instanceof CnabTrustError) return e;
  return new CnabTrustError('E_IO', `cannot ${action} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { subject: file, cause: e });
}

function tooLarge(subject: string, size: number, max = MAX_MANIFEST_BYTES): CnabTrustError {
  return new CnabTrustError('E_OCI_TOO_LARGE', `${subject} is ${size} bytes, over the bound of ${max}`, { subject, details: { size, max } });
}
