/**
 * `link run` and `link record start|stop`: evidence for a supply-chain step, as in-toto 1.3.1 `in-toto-run`
 * and `in-toto-record` make it. Materials are recorded, the command runs (no shell), products are recorded,
 * and the link `<step>.<keyid[:8]>.link` is signed and written. For a step that is not one command, `record
 * start` writes a signed `.<step>.<keyid[:8]>.link-unfinished` with the materials, and `record stop` checks its
 * signature, adds the products and writes the final link. `link run --gpg KEYID` signs with the system gpg instead
 * of a key file, as in-toto-run --gpg does.
 */
import path from 'node:path';
import { readFileBounded, removeFileIfPresent, writeFileAtomic } from '../../adapters/fs/index.js';
import { recordArtifacts } from '../../adapters/intoto/artifact-recorder.js';
import { loadSigner } from '../../adapters/intoto/key-files.js';
import { GpgCommandSigner, type GpgSignerOptions } from '../../adapters/gpg/gpg-command-signer.js';
import { runStepCommand, type StepByproducts } from '../../adapters/intoto/step-command.js';
import { verifySslibSignature } from '../../core/crypto/verify-signature.js';
import { CnabTrustError } from '../../core/errors.js';
import { metadataFileText, signMetadata } from '../../core/intoto/envelope.js';
import { MAX_METADATA_BYTES, parseMetadataJson } from '../../core/intoto/json.js';
import { parseMetablock, signableBytes, type LinkModel } from '../../core/intoto/metadata.js';
import { checkItemName, linkFileName } from '../../core/intoto/paths.js';
import type { RecordOptions } from '../../core/intoto/record/options.js';

export interface LinkRecordingOptions {
  step: string;
  /** Private key file. */
  key: string;
  /** How artifacts are recorded (exclude patterns, base path, lstrip, line endings). */
  record?: RecordOptions;
  /** Where the final link is written (default: the current directory). */
  metadataDirectory?: string;
}

export interface LinkRunOptions extends Omit<LinkRecordingOptions, 'key'> {
  /** Private key file; or `gpg` instead. */
  key?: string;
  /** Sign with the system gpg (like in-toto-run --gpg): keyid and GnuPG home. */
  gpg?: GpgSignerOptions;
  materials?: string[];
  products?: string[];
  /** The command and its arguments; empty for a step without a command (e.g. a sign-off). */
  command: string[];
  /** Capture stdout/stderr into the link (default true). */
  recordStreams?: boolean;
  timeoutSeconds?: number;
}

export interface LinkReport {
  step: string;
  keyid: string;
  /** The file written. */
  link: string;
  /** The command recorded (strings when we ran it; a preliminary link read back may hold any JSON values). */
  command: unknown[];
  returnValue?: number;
  materials: number;
  products: number;
}

function linkModel(step: string, materials: LinkModel['materials'], products: LinkModel['products'], command: string[], byproducts: LinkModel['byproducts']): LinkModel {
  return { _type: 'link', name: step, materials, products, byproducts, command, environment: {} };
}

async function writeLink(model: LinkModel, file: string, signer: Awaited<ReturnType<typeof loadSigner>>): Promise<void> {
  const envelope = await signMetadata(model, [signer]);
  await writeFileAtomic(file, metadataFileText(envelope));
}

/** Sign the link with gpg and write it as `<step>.<keyid[:8]>.link`, the keyid the signature's (in-toto-run --gpg). */
async function writeGpgLink(model: LinkModel, dir: string, signer: GpgCommandSigner): Promise<{ file: string; keyid: string }> {
  const sig = await signer.sign(signableBytes({ kind: 'link', link: model }));
  const file = path.join(dir, linkFileName(model.name as string, sig.keyid));
  const envelope = { signatures: [{ keyid: sig.keyid, sig: '', gpg: { other_headers: sig.other_headers, signature: sig.signature } }], signed: model };
  await writeFileAtomic(file, metadataFileText(envelope));
  return { file, keyid: sig.keyid };
}

export async function linkRun(o: LinkRunOptions): Promise<LinkReport> {
  checkItemName(o.step, 'step');
  if ((o.key === undefined) === (o.gpg === undefined)) {
    throw new CnabTrustError('E_USAGE', 'give either --key (a key file) or --gpg (a GPG keyid)', { subject: '--key' });
  }
  // fail on a bad key before running anything
  const gpg = o.gpg === undefined ? undefined : new GpgCommandSigner(o.gpg);
  await gpg?.check();
  const signer = o.key === undefined ? undefined : await loadSigner(o.key);
  const record = { followSymlinkDirs: true, ...o.record };
  const materials = recordArtifacts(o.materials ?? [], record);
  let byproducts: StepByproducts | Record<string, never> = {};
  if (o.command.length > 0) {
    byproducts = await runStepCommand(o.command, {
      recordStreams: o.recordStreams ?? true,
      ...(o.timeoutSeconds === undefined ? {} : { timeoutSeconds: o.timeoutSeconds }),
    });
  }
  const products = recordArtifacts(o.products ?? [], record);
  const model = linkModel(o.step, materials, products, o.command, byproducts as LinkModel['byproducts']);
  let written: { file: string; keyid: string };
  if (signer !== undefined) {
    written = { file: path.join(o.metadataDirectory ?? '.', linkFileName(o.step, signer.keyid)), keyid: signer.keyid };
    await writeLink(model, written.file, signer);
  } else {
    written = await writeGpgLink(model, o.metadataDirectory ?? '.', gpg!);
  }
  return {
    step: o.step,
    keyid: written.keyid,
    link: written.file,
    command: o.command,
    ...('return-value' in byproducts ? { returnValue: byproducts['return-value'] } : {}),
    materials: Object.keys(materials).length,
    products: Object.keys(products).length,
  };
}

/** `.<step>.<keyid[:8]>.link-unfinished` (in-toto 1.3.1 `UNFINISHED_FILENAME_FORMAT`), in the current directory. */
export function unfinishedLinkFileName(step: string, keyid: string): string {
  return `.${step}.${keyid.slice(0, 8)}.link-unfinished`;
}

export async function linkRecordStart(o: LinkRecordingOptions & { materials?: string[] }): Promise<LinkReport> {
  checkItemName(o.step, 'step');
  const signer = await loadSigner(o.key);
  const materials = recordArtifacts(o.materials ?? [], { followSymlinkDirs: true, ...o.record });
  const file = unfinishedLinkFileName(o.step, signer.keyid);
  await writeLink(linkModel(o.step, materials, {}, [], {}), file, signer);
  return { step: o.step, keyid: signer.keyid, link: file, command: [], materials: Object.keys(materials).length, products: 0 };
}

export async function linkRecordStop(o: LinkRecordingOptions & { products?: string[] }): Promise<LinkReport> {
  checkItemName(o.step, 'step');
  const signer = await loadSigner(o.key);
  const unfinished = unfinishedLinkFileName(o.step, signer.keyid);
  let bytes: Buffer;
  try {
    bytes = await readFileBounded(unfinished, { maxBytes: MAX_METADATA_BYTES, what: 'unfinished link' });
  } catch (e) {
    if ((e as CnabTrustError).code === 'E_FILE_NOT_FOUND') {
      throw new CnabTrustError('E_INTOTO_LINK_NOT_FOUND', `no preliminary link ${unfinished} for step '${o.step}' and this key`, {
        subject: unfinished,
        hint: `run 'cnab-trust link record start --step ${o.step} --key ...' first, in this directory, with the same key`,
      });
    }
    throw e;
  }
  const mb = parseMetablock(parseMetadataJson(bytes, unfinished), unfinished);
  if (mb.signed.kind !== 'link') throw new CnabTrustError('E_INTOTO_INVALID', `${unfinished} is not a link`, { subject: unfinished });
  // in-toto-record stop: the preliminary link must carry a valid signature by the same key.
  const own = mb.signatures.find((s) => s.keyid === signer.keyid);
  if (own === undefined || !verifySslibSignature(signer.publicKey, own.sig, signableBytes(mb.signed))) {
    throw new CnabTrustError('E_SIGNATURE_INVALID', `${unfinished} is not validly signed by key ${signer.keyid.slice(0, 8)}`, { subject: unfinished });
  }
  const link = mb.signed.link;
  const products = recordArtifacts(o.products ?? [], { followSymlinkDirs: true, ...o.record });
  const file = path.join(o.metadataDirectory ?? '.', linkFileName(o.step, signer.keyid));
  await writeLink({ ...link, products }, file, signer);
  await removeFileIfPresent(unfinished);
  return { step: o.step, keyid: signer.keyid, link: file, command: link.command, materials: Object.keys(link.materials).length, products: Object.keys(products).length };
}
