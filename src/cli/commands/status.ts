/**
 * `cnab-trust status`: roles, keys, thresholds, versions and expiry of the TUF repository.
 */
import type { Argv, CommandModule } from 'yargs';
import { storeOption } from '../store-flag.js';
import { handle, printResult, type OutputFlags } from '../output.js';

interface StatusArgs extends OutputFlags {
  metadata: string;
  store?: string;
  keys: string;
  'warn-days': number;
}

const status: CommandModule<OutputFlags, StatusArgs> = {
  command: 'status',
  describe: 'show roles, keys, thresholds, versions and expiry of the TUF repository (warns what expires soon)',
  builder: (y) =>
    (y as Argv<OutputFlags>)
      .option('metadata', { type: 'string', default: 'metadata', describe: 'repository directory' })
      .option('store', storeOption)
      .option('keys', { type: 'string', default: 'keys', describe: 'key store directory' })
      .option('warn-days', { type: 'number', default: 7, describe: 'warn for metadata expiring within N days' })
      .example('$0 status --warn-days 3', 'what a cron job should renew')
      .example('$0 status --json', 'machine-readable') as unknown as Argv<StatusArgs>,
  handler: handle<StatusArgs>(async (args) => {
    const { repositoryStatus } = await import('../../workflows/tuf/status.js');
    const report = await repositoryStatus({ metadataDir: args.metadata, storeUrl: args.store, keysDir: args.keys, warnDays: args['warn-days'] });
    printResult(args, report, () => {
      const lines = [`TUF repository for ${report.gun} in ${report.metadataDir} (spec ${report.specVersion}, consistent snapshots ${report.consistentSnapshot ? 'on' : 'off'})`];
      const bins = report.roles.filter((r) => report.bins !== undefined && r.role.startsWith(report.bins.namePrefix + '-'));
      for (const r of report.roles) {
        if (bins.includes(r)) continue;
        lines.push(
          `  ${r.role.padEnd(17)} v${String(r.version).padEnd(5)} expires ${r.expires} (${r.state})  threshold ${r.threshold} of ` +
            r.keyids.map((k) => `${k.slice(0, 8)}${r.localKeys.includes(k) ? '*' : ''}`).join(', '),
        );
      }
      if (report.bins !== undefined && bins.length > 0) {
        const first = [...bins].sort((a, b) => a.expiresInDays - b.expiresInDays)[0]!;
        lines.push(`  ${report.bins.count} bins ${report.bins.namePrefix}-*: earliest expiry ${first.expires} (${first.role})`);
      }
      lines.push('  (* = private key in the key store)');
      if (report.staged) {
        lines.push(`staged: ${report.staged.description}`);
        for (const q of report.staged.requirements) lines.push(`  ${q.role} (${q.against}): ${q.signed.length}/${q.threshold} signatures`);
      }
      for (const w of report.warnings) lines.push(`warning: ${w}`);
      return lines.join('\n');
    });
  }),
};

export default status;
