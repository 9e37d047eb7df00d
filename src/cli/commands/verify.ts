/**
 * `cnab-trust verify <ref | oci:dir:tag | bundle.json>`: the CNAB-Sec 303 verification workflow before install.
 * Parses flags, calls `verifyBundle`, prints the human report (or `--json` the stable report), exits 0 only when
 * the bundle verified (1 for a verification failure, 3 when something could not be read or reached).
 */
import type { Argv, CommandModule } from 'yargs';
import { handle, printResult, type OutputFlags } from '../output.js';
import { registryAccess, withRegistryFlags, type RegistryFlags } from '../registry-flags.js';

interface VerifyArgs extends OutputFlags, RegistryFlags {
  bundle: string;
  'trusted-root'?: string;
  metadata?: string;
  'relocation-mapping'?: string;
  map?: string;
  'trusted-roots'?: string;
  target?: string;
  'targets-url'?: string;
  cache?: string;
  inspections: boolean;
  'inspection-timeout': number;
  now?: string;
  report?: string;
}

const verify: CommandModule<OutputFlags, VerifyArgs> = {
  command: 'verify <bundle>',
  describe: 'verify a bundle before install (CNAB-Sec 303): TUF target, exact bytes, pinned images, in-toto supply chain',
  builder: (y) =>
    withRegistryFlags(y as Argv<OutputFlags>)
      .positional('bundle', { type: 'string', demandOption: true, describe: 'registry reference, oci:<dir>:<tag>, bundle.json, or a thick bundle .tgz' })
      .option('trusted-root', { type: 'string', describe: 'root.json you trust (obtained out of band)' })
      .option('metadata', { type: 'string', describe: 'TUF repository: an http(s) URL or a directory (default for an exported .tgz: the metadata it carries)' })
      .option('target', { type: 'string', describe: 'signed target <gun>:<tag> the bundle must match (default: the reference given)' })
      .option('relocation-mapping', { type: 'string', describe: 'CNAB 103 relocation mapping: every relocated image must resolve to its signed digest' })
      .option('map', { type: 'string', describe: 'TAP 4 map file: resolve the target across several repositories (with --trusted-roots)' })
      .option('trusted-roots', { type: 'string', describe: 'with --map: directory holding <repository>.root.json per repository' })
      .option('targets-url', { type: 'string', describe: 'target files: URL or directory (default <metadata>/targets)' })
      .option('cache', { type: 'string', describe: 'directory keeping trusted TUF metadata between runs (rollback protection)' })
      .option('inspections', { type: 'boolean', default: true, describe: 'run the in-toto layout inspections (bounded, scratch copy); --no-inspections skips them' })
      .option('inspection-timeout', { type: 'number', default: 60, describe: 'seconds an inspection may run' })
      .option('now', { type: 'string', describe: 'check expiry at this ISO 8601 time instead of the clock' })
      .option('report', { type: 'string', describe: 'also write the JSON report to this file' })
      .check((a) => {
        if (a.map !== undefined) {
          if (a['trusted-roots'] === undefined) throw new Error('with --map give --trusted-roots DIR');
          return true;
        }
        if (a['trusted-root'] === undefined && a.cache === undefined) throw new Error('give --trusted-root root.json');
        return true;
      })
      .example('$0 verify bundle.json --target example.com/org/app:1.0.0 --trusted-root root.json --metadata metadata/', 'a local bundle.json')
      .example('$0 verify example.com/org/app:1.0.0 --trusted-root root.json --metadata https://tuf.example.com --json', 'from a registry, JSON report')
      .example('$0 verify app-1.0.0.tgz --trusted-root root.json', 'an exported thick bundle, offline (airgap)')
      .example(
        '$0 verify mirror.local/org/app:1.0.0 --target example.com/org/app:1.0.0 --relocation-mapping relocation-mapping.json --trusted-root root.json --metadata metadata/',
        'a relocated copy and its relocated images',
      ) as Argv<VerifyArgs>,
  handler: handle<VerifyArgs>(async (args) => {
    const { verifyBundle } = await import('../../workflows/verify.js');
    const { formatVerifyReport } = await import('../../core/verify/report.js');
    const { exitStatusOfCode, EXIT } = await import('../../core/errors.js');
    const { parseNow } = await import('../clock.js');
    const report = await verifyBundle({
      bundle: args.bundle,
      ...(args.metadata === undefined ? {} : { metadata: args.metadata }),
      ...(args['relocation-mapping'] === undefined ? {} : { relocationMapping: args['relocation-mapping'] }),
      ...(args.map === undefined ? {} : { map: args.map }),
      ...(args['trusted-roots'] === undefined ? {} : { trustedRootsDir: args['trusted-roots'] }),
      registry: await registryAccess(args),
      ...(args['trusted-root'] === undefined ? {} : { trustedRootPath: args['trusted-root'] }),
      ...(args.target === undefined ? {} : { target: args.target }),
      ...(args['targets-url'] === undefined ? {} : { targets: args['targets-url'] }),
      ...(args.cache === undefined ? {} : { cacheDir: args.cache }),
      ...(args.now === undefined ? {} : { now: parseNow(args.now) }),
      inspections: args.inspections,
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
