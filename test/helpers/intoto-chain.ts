/**
 * A small signed in-toto supply chain for end-to-end tests: an N-step layout (each step signed by its own
 * functionary key) whose last step produces the bundle, the links of each step, and the layout key. Built with the
 * project's key generation and OLPC canonical JSON (the in-toto signing bytes), as JSON files ready to be put into
 * a TUF repository as targets (CNAB-Sec 301 names).
 */
import { createHash } from 'node:crypto';
import { generateKey, type GeneratedKey } from '../../src/core/crypto/keygen.js';
import { signRaw } from '../../src/core/crypto/schemes.js';
import { olpcCanonicalBytes } from '../../src/core/canonical/olpc.js';

type Json = Record<string, unknown>;

export interface SignedChain {
  ownerKey: GeneratedKey;
  functionaries: GeneratedKey[];
  /** The signed layout bytes. */
  layout: Buffer;
  /** Link file name (`<step>.<keyid8>.link`) -> bytes. */
  links: Map<string, Buffer>;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function signEnvelope(signed: Json, keys: GeneratedKey[]): Buffer {
  const bytes = olpcCanonicalBytes(signed);
  return Buffer.from(
    JSON.stringify({
      signatures: keys.map((k) => ({ keyid: k.publicKey.keyid, sig: Buffer.from(signRaw(k.publicKey.scheme, k.privateKey, bytes)).toString('hex') })),
      signed,
    }),
  );
}

function keyJson(k: GeneratedKey): Json {
  return {
    keyid: k.publicKey.keyid,
    keyid_hash_algorithms: k.publicKey.keyid_hash_algorithms,
    keytype: k.publicKey.keytype,
    scheme: k.publicKey.scheme,
    keyval: { public: k.publicKey.keyval.public },
  };
}

export interface ChainOptions {
  /** Number of steps (>= 1). The last produces the bundle. */
  steps?: number;
  /** Layout expiry (default one year from now). */
  expires?: Date;
  /** An inspection run on the final product (argv), if any. */
  inspection?: string[];
  /** Sign the layout with this key instead of the owner key (a forged layout). */
  layoutSigner?: GeneratedKey;
  ownerKey?: GeneratedKey;
}

/**
 * Steps `step1..stepN`: step1 creates `work/1.txt`; step i consumes `work/(i-1).txt` and creates `work/i.txt`;
 * the last step consumes the previous product and creates `bundle.json` (the bundle bytes given).
 */
export function makeChain(bundleBytes: Uint8Array, options: ChainOptions = {}): SignedChain {
  const n = options.steps ?? 2;
  const ownerKey = options.ownerKey ?? generateKey('ed25519');
  const functionaries = Array.from({ length: n }, () => generateKey('ed25519'));
  const names = Array.from({ length: n }, (_, i) => `step${i + 1}`);
  const product = (i: number): string => (i === n - 1 ? 'bundle.json' : `work/${i + 1}.txt`);
  const content = (i: number): Uint8Array => (i === n - 1 ? bundleBytes : Buffer.from(`intermediate ${i + 1}\n`));

  const steps = names.map((name, i) => ({
    _type: 'step',
    name,
    threshold: 1,
    pubkeys: [functionaries[i]!.publicKey.keyid],
    expected_command: ['make', name],
    expected_materials: i === 0 ? [['DISALLOW', '*']] : [['MATCH', product(i - 1), 'WITH', 'PRODUCTS', 'FROM', names[i - 1]!], ['DISALLOW', '*']],
    expected_products: [['CREATE', product(i)], ['DISALLOW', '*']],
  }));
  const inspect = options.inspection
    ? [
        {
          _type: 'inspection',
          name: 'check-bundle',
          run: options.inspection,
          expected_materials: [['MATCH', 'bundle.json', 'WITH', 'PRODUCTS', 'FROM', names[n - 1]!], ['ALLOW', '*']],
          expected_products: [['ALLOW', '*']],
        },
      ]
    : [];
  const expires = (options.expires ?? new Date(Date.now() + 365 * 24 * 3600 * 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const layoutSigned: Json = {
    _type: 'layout',
    expires,
    readme: 'cnab-trust end-to-end test supply chain',
    keys: Object.fromEntries(functionaries.map((k) => [k.publicKey.keyid, keyJson(k)])),
    steps,
    inspect,
  };
  const layout = signEnvelope(layoutSigned, [options.layoutSigner ?? ownerKey]);

  const links = new Map<string, Buffer>();
  names.forEach((name, i) => {
    const materials = i === 0 ? {} : { [product(i - 1)]: { sha256: sha256(content(i - 1)) } };
    const linkSigned: Json = {
      _type: 'link',
      name,
      command: ['make', name],
      materials,
      products: { [product(i)]: { sha256: sha256(content(i)) } },
      byproducts: { 'return-value': 0, stderr: '', stdout: '' },
      environment: {},
    };
    links.set(`${name}.${functionaries[i]!.publicKey.keyid.slice(0, 8)}.link`, signEnvelope(linkSigned, [functionaries[i]!]));
  });
  return { ownerKey, functionaries, layout, links };
}
