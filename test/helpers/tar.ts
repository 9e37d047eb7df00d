/**
 * A minimal ustar writer for tests, so that hostile archives (`../` names, absolute names, links, duplicates)
 * can be built byte by byte: real tar tools refuse to create some of them.
 */
import { gzipSync } from 'node:zlib';

export interface TarTestEntry {
  name: string;
  /** '0' file (default), '2' symlink, '1' hard link, '5' directory, '3' char device, ... */
  type?: string;
  content?: string | Buffer;
  linkname?: string;
  /** Size to write in the header (default: the content's length). */
  size?: number;
}

function field(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
}

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  field(buf, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

export function tarHeader(e: TarTestEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  field(h, 0, 100, e.name);
  octal(h, 100, 8, e.type === '5' ? 0o755 : 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, 0);
  h.fill(0x20, 148, 156); // checksum computed over spaces
  field(h, 156, 1, e.type ?? '0');
  field(h, 157, 100, e.linkname ?? '');
  field(h, 257, 6, 'ustar\0');
  field(h, 263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** An uncompressed tar of `entries`. */
export function makeTar(entries: TarTestEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const content = typeof e.content === 'string' ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0));
    parts.push(tarHeader(e, e.size ?? content.length));
    if (content.length > 0) {
      parts.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A gzipped tar (.tgz) of `entries`. */
export function makeTgz(entries: TarTestEntry[]): Buffer {
  return gzipSync(makeTar(entries));
}
