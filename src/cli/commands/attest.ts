/**
 * `cnab-trust attest <bundle.json> --key K [--predicate-type slsa|URI] [--predicate P.json] -o out.sigstore.json`
 * `cnab-trust attest verify <out.sigstore.json> --key K.pub [--bundle bundle.json]`
 *
 * An in-toto Statement v1 about a bundle in a DSSE envelope, as a Sigstore bundle signed with a local key (no
 * transparency log, no certificate), verified offline against the public key.
 */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';

interface CreateArgs extends OutputFlags {
  bundle: string;
  key: string;
  output: string;
  predicateType: string;
  predicate?: string;
  link?: string;
  builderId?: string;
}

interface VerifyArgs extends OutputFlags {
  attestation: string;
  key: string;
  bundle?: string;
}

const create: CommandModule<OutputFlags, CreateArgs> = {
  command: '$0 <bundle>',
  describe: 'attest a bundle: in-toto Statement v1 (subjects: canonical bundle digest, image digests) in a Sigstore bundle',
  builder: (y: Argv<OutputFlags>) =>
    y
      .positional('bundle', { type: 'string', demandOption: true, describe: 'bundle.json' })
      .option('key', { alias: 'k', type: 'string', demandOption: true, describe: 'private key file (securesystemslib JSON or PEM; encrypted: CNAB_TRUST_PASSPHRASE)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'where to write the Sigstore bundle (JSON)' })
      .option('predicate-type', { type: 'string', default: 'slsa', describe: 'slsa (SLSA provenance v1, built from the bundle), link (in-toto link predicate of --link) or a predicate type URI' })
      .option('link', { type: 'string', describe: 'the step link (<step>.<keyid8>.link) for --predicate-type link' })
      .option('predicate', { type: 'string', describe: 'JSON file holding the predicate (required for a URI we do not build)' })
      .option('builder-id', { type: 'string', describe: 'SLSA runDetails.builder.id (default urn:cnab-trust:builder:local)' })
      .example('$0 attest bundle.json --key keys/release.key -o bundle.sigstore.json', 'SLSA provenance v1 about the bundle and its images')
      .example('$0 attest bundle.json --key keys/carl --predicate-type link --link package.5b000b04.link -o p.json', 'the link predicate of a step')
      .example('$0 attest bundle.json --key k --predicate-type https://example.com/review/v1 --predicate review.json -o r.json', 'your own predicate') as unknown as Argv<CreateArgs>,
  handler: handle(async (args: CreateArgs) => {
    const { attestBundle } = await import('../../workflows/intoto/attest.js');
    const r = await attestBundle({
      bundle: args.bundle,
      key: args.key,
      output: args.output,
      predicateType: args.predicateType,
      ...(args.predicate === undefined ? {} : { predicate: args.predicate }),
      ...(args.builderId === undefined ? {} : { builderId: args.builderId }),
      ...(args.link === undefined ? {} : { link: args.link }),
    });
    printResult(args, r, () =>
      [
        `attestation written: ${r.attestation} (Sigstore bundle, DSSE, key ${r.keyid.slice(0, 8)})`,
        `  predicate: ${r.predicateType}`,
        ...r.subjects.map((s) => `  subject:   ${s.name ?? '?'}  ${Object.entries(s.digest ?? {}).map(([a, h]) => `${a}:${h}`).join(' ')}`),
        ...r.unpinnedImages.map((i) => `  not a subject (no contentDigest in the bundle): ${i}`),
      ].join('\n'),
    );
    return 0;
  }),
};

const verify: CommandModule<OutputFlags, VerifyArgs> = {
  command: 'verify <attestation>',
  describe: 'verify an attestation offline against a public key (and, with --bundle, that it is about this bundle)',
  builder: (y: Argv<OutputFlags>) =>
    y
      .positional('attestation', { type: 'string', demandOption: true, describe: 'Sigstore bundle JSON made by `attest`' })
      .option('key', { alias: 'k', type: 'string', demandOption: true, describe: 'public key file' })
      .option('bundle', { type: 'string', describe: 'bundle.json whose canonical digest must be a subject' })
      .example('$0 attest verify bundle.sigstore.json --key keys/release.pub --bundle bundle.json', 'signature, statement, subject digest') as Argv<VerifyArgs>,
  handler: handle(async (args: VerifyArgs) => {
    const { verifyAttestationFile } = await import('../../workflows/intoto/attest.js');
    const r = await verifyAttestationFile({ attestation: args.attestation, key: args.key, ...(args.bundle === undefined ? {} : { bundle: args.bundle }) });
    printResult(args, r, () =>
      [
        `attestation ${r.attestation}: signature verified with key ${r.keyid.slice(0, 8)}`,
        `  predicate: ${r.predicateType}`,
        ...r.subjects.map((s) => `  subject:   ${s.name ?? '?'}  ${Object.entries(s.digest ?? {}).map(([a, h]) => `${a}:${h}`).join(' ')}`),
        ...(r.bundleDigest === undefined ? [] : [`  bundle digest ${r.bundleDigest} is the subject ${r.matchedSubject ?? ''}`]),
        'verdict: VERIFIED',
      ].join('\n'),
    );
    return 0;
  }),
};

const attest: CommandModule<OutputFlags, OutputFlags> = {
  command: 'attest',
  describe: 'in-toto attestations about a bundle, as Sigstore bundles signed with a local key',
  builder: (y: Argv<OutputFlags>) => y.command(create).command(verify),
  handler: () => undefined,
};

export default attest;
