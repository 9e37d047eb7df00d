/**
 * `cnab-trust verify <ref | oci:dir:tag | bundle.json>`: the CNAB-Sec 303 verification workflow before install.
 * Parses flags, calls `verifyBundle`, prints the human report (or `--json` the stable report), exits 0 only when
 * the bundle verified (1 for a verification failure, 3 when something could not be read or reached).
 */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';
import { registryAccess, withRegistryFlags, type RegistryFlags } from '../registry-flags.js';
import { networkLimits } from '../network-flags.js';
import { tufClientOptions, withTufClientFlags, type TufClientFlags } from '../tuf-client-flags.js';

interface VerifyArgs extends OutputFlags, RegistryFlags, TufClientFlags {
  bundle: string;
  'relocation-mapping'?: string;
  target?: string;
  inspections: boolean;
  'sublayout-inspections': boolean;
  'require-intoto': boolean;
  'inspection-timeout': number;
  report?: string;
}

const verify: CommandModule<OutputFlags, VerifyArgs> = {
  command: 'verify <bundle>',
  describe: 'verify a bundle before install (CNAB-Sec 303): TUF target, exact bytes, pinned images, in-toto supply chain',
  builder: (y) =>
    withTufClientFlags(withRegistryFlags(y as Argv<OutputFlags>), {
      metadata: 'TUF repository: an http(s) URL or a directory (default for an exported .tgz: the metadata it carries)',
    })
      .positional('bundle', { type: 'string', demandOption: true, describe: 'registry reference, oci:<dir>:<tag>, bundle.json, or a thick bundle .tgz' })
      .option('target', { type: 'string', describe: 'signed target <gun>:<tag> the bundle must match (default: the reference given)' })
      .option('relocation-mapping', { type: 'string', describe: 'CNAB 103 relocation mapping: every relocated image must resolve to its signed digest' })
      .option('inspections', { type: 'boolean', default: true, describe: 'run the in-toto layout inspections (bounded, scratch copy); --no-inspections skips them' })
      .option('sublayout-inspections', {
        type: 'boolean',
        default: false,
        describe: "also run the inspections of sublayouts (commands a step's functionary chose, not the layout owner)",
      })
      .option('require-intoto', { type: 'boolean', default: false, describe: 'fail unless the bundle has a verified in-toto supply chain (whatever the repository policy says)' })
      .option('inspection-timeout', { type: 'number', default: 60, describe: 'seconds an inspection may run' })
      .option('report', { type: 'string', describe: 'also write the JSON report to this file' })
      .example('$0 verify bundle.json --target example.com/org/app:1.0.0 --trusted-root root.json --metadata metadata/', 'a local bundle.json')
      .example('$0 verify example.com/org/app:1.0.0 --trusted-root root.json --metadata https://tuf.example.com --json', 'from a registry, JSON report')
      .example('$0 verify app-1.0.0.tgz --trusted-root root.json', 'an exported thick bundle, offline (airgap)')
      .example(
        '$0 verify mirror.local/org/app:1.0.0 --target example.com/org/app:1.0.0 --relocation-mapping relocation-mapping.json --trusted-root root.json --metadata metadata/',
        'a relocated copy and its relocated images',
      ) as Argv<VerifyArgs>,
  handler: handle<VerifyArgs>(async (args) => {
    const { verifyBundle } = await import('../../workflows/verify/bundle.js');
    const { formatVerifyReport } = await import('../../core/verify/report.js');
    const { exitStatusOfCode, EXIT } = await import('../../core/errors.js');
    const report = await verifyBundle({
      bundle: args.bundle,
      ...(await tufClientOptions(args)),
      ...(args['relocation-mapping'] === undefined ? {} : { relocationMapping: args['relocation-mapping'] }),
      registry: await registryAccess(args),
      http: networkLimits(args),
      ...(args.target === undefined ? {} : { target: args.target }),
      inspections: args.inspections,
      sublayoutInspections: args['sublayout-inspections'],
      requireIntoto: args['require-intoto'],
      inspectionTimeoutMs: Math.round(args['inspection-timeout'] * 1000),
      ...(args.report === undefined ? {} : { reportPath: args.report }),
    });
    printResult(args, report, () => formatVerifyReport(report));
    if (report.verified) return EXIT.OK;
    if (args.quiet && !args.json) process.stderr.write(`error[${report.error!.code}]: ${report.error!.message}\n`);
    return exitStatusOfCode(report.error!.code);
  }),
};

export default verify;
