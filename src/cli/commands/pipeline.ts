/**
 * `cnab-trust pipeline --bundle bundle.json --ref <gun>:<tag>`: the CI job as a transaction: sign (staged) -> push by
 * digest -> verify against the staged metadata with a fresh cache -> publish the metadata -> tag; writes the JSON
 * report; exits 0 only when the pushed bundle verified and was published.
 */
import type { Argv, CommandModule } from 'yargs';
import { listOption } from '../list-flag.js';
import { handle, printResult, type OutputFlags } from '../output.js';
import { registryAccess, withRegistryFlags, type RegistryFlags } from '../registry-flags.js';

interface PipelineArgs extends OutputFlags, RegistryFlags {
  bundle: string;
  ref: string;
  'push-to'?: string;
  metadata: string;
  keys: string;
  layout?: string;
  'layout-keys'?: string[];
  links?: string;
  'trusted-root'?: string;
  'metadata-url'?: string;
  report?: string;
  inspections: boolean;
  'allow-unverified': boolean;
  fixup: boolean;
}

const pipeline: CommandModule<OutputFlags, PipelineArgs> = {
  command: 'pipeline',
  describe: 'CI: sign with the online targets/releases key, push, verify from the registry with a fresh cache, write the report',
  builder: (y) =>
    withRegistryFlags(y as Argv<OutputFlags>)
      .option('bundle', { type: 'string', demandOption: true, describe: 'bundle.json to release (images pinned)' })
      .option('ref', { type: 'string', demandOption: true, describe: 'signed target <gun>:<tag> (and where to push unless --push-to)' })
      .option('push-to', { type: 'string', describe: 'push here instead of --ref (a reference or oci:<dir>:<tag>)' })
      .option('metadata', { type: 'string', default: 'metadata', describe: 'TUF repository directory' })
      .option('keys', { type: 'string', default: 'keys', describe: 'key directory (the online targets/releases key)' })
      .option('layout', { type: 'string', describe: 'in-toto root layout (needs the targets key, else the change is staged)' })
      .option('layout-keys', listOption('public key files verifying the layout'))
      .option('links', { type: 'string', describe: 'directory of in-toto links (*.link) for this bundle' })
      .option('trusted-root', { type: 'string', describe: 'root the verification trusts (default <metadata>/1.root.json)' })
      .option('metadata-url', { type: 'string', describe: 'after publishing, verify once more reading the metadata from here (the URL clients use)' })
      .option('fixup', { type: 'boolean', default: false, describe: 'pin the images first (write their digests into the bundle, as push --fixup), then sign the pinned bundle' })
      .option('report', { type: 'string', describe: 'write the JSON report to this file' })
      .option('inspections', { type: 'boolean', default: true, describe: 'run in-toto inspections when verifying' })
      .option('allow-unverified', { type: 'boolean', default: false, describe: 'sign even if the in-toto supply chain does not verify (the final verification still decides; reported)' })
      .example('$0 pipeline --bundle bundle.json --ref registry.example/org/app:1.2.0 --report cnab-trust-report.json', 'the release job')
      .example('$0 pipeline --bundle bundle.json --ref example.com/org/app:1.2.0 --push-to oci:out:1.2.0 --links links/', 'into an OCI layout, with links') as Argv<PipelineArgs>,
  handler: handle<PipelineArgs>(async (args) => {
    const { runPipeline } = await import('../../compositions/pipeline.js');
    const { formatVerifyReport } = await import('../../core/verify/report.js');
    const report = await runPipeline({
      bundle: args.bundle,
      ref: args.ref,
      metadataDir: args.metadata,
      keysDir: args.keys,
      inspections: args.inspections,
      allowUnverified: args['allow-unverified'],
      fixup: args.fixup,
      registry: await registryAccess(args),
      ...(args['push-to'] === undefined ? {} : { pushTo: args['push-to'] }),
      ...(args.layout === undefined ? {} : { layout: args.layout }),
      ...(args['layout-keys'] === undefined ? {} : { layoutKeys: args['layout-keys'] }),
      ...(args.links === undefined ? {} : { links: args.links }),
      ...(args['trusted-root'] === undefined ? {} : { trustedRootPath: args['trusted-root'] }),
      ...(args['metadata-url'] === undefined ? {} : { metadataUrl: args['metadata-url'] }),
      ...(args.report === undefined ? {} : { reportPath: args.report }),
    });
    printResult(args, report, () =>
      [
        ...(report.sign
          ? [`signed   ${report.sign.target.name} in ${report.sign.role} (sha256 ${report.sign.target.hashes['sha256']})${report.sign.published ? '' : ' (STAGED, not published)'}`]
          : []),
        ...(report.sign?.check.allowedUnverified
          ? [`UNVERIFIED at signing, signed anyway (--allow-unverified): error[${report.sign.check.allowedUnverified.code}] ${report.sign.check.allowedUnverified.message}`]
          : []),
        ...(report.push ? [`pushed   ${report.push.reference} (${report.push.digest})`] : []),
        ...(report.verify ? [formatVerifyReport(report.verify)] : []),
        ...(report.transaction.dropped ? [`dropped  ${report.transaction.dropped}`] : []),
        ...(report.transaction.published ? [`published ${Object.entries(report.transaction.staged?.roles ?? {}).map(([r, v]) => `${r} v${v}`).join(', ')}${report.transaction.tagged ? ', then the tag' : ' (NOT tagged)'}`] : []),
        ...(report.ok ? [] : [`pipeline FAILED${report.error ? `: error[${report.error.code}] ${report.error.message}` : ''}`]),
        ...(args.report === undefined ? [] : [`report written to ${args.report}`]),
      ].join('\n'),
    );
    if (report.ok) return 0;
    const { exitStatusOfCode } = await import('../../core/errors.js');
    return report.error === undefined ? 1 : exitStatusOfCode(report.error.code);
  }),
};

export default pipeline;
