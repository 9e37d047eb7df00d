/**
 * The GitHub Action entry point (action.yml, `runs: using: node24`): reads the inputs from `INPUT_<NAME>`
 * environment variables exactly as the runner sets them (name upper-cased, spaces to `_`, hyphens kept), runs
 * `runPipeline` (sign -> push -> verify from the registry with a fresh cache), writes the outputs to the
 * `$GITHUB_OUTPUT` file and fails the step (exit 1, an `::error::` annotation) on any mismatch.
 * The password input reaches the registry client only; it is never printed (and is masked with `::add-mask::`).
 */
import { appendFileSync } from 'node:fs';
import { CnabTrustError, isCnabTrustError } from '../core/errors.js';
import { formatVerifyReport } from '../core/verify/report.js';
import { runPipeline, type PipelineOptions } from '../compositions/pipeline.js';

/** `core.getInput` semantics: `INPUT_` + name upper-cased with spaces replaced, trimmed; '' when unset. */
export function getInput(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function required(name: string, env: NodeJS.ProcessEnv): string {
  const value = getInput(name, env);
  if (value === '') throw new CnabTrustError('E_USAGE', `input required and not supplied: ${name}`, { subject: `INPUT_${name.replace(/ /g, '_').toUpperCase()}` });
  return value;
}

const optional = (name: string, env: NodeJS.ProcessEnv): string | undefined => getInput(name, env) || undefined;

/** The pipeline options the inputs describe. */
export function optionsFromInputs(env: NodeJS.ProcessEnv = process.env): PipelineOptions {
  const layoutKeys = optional('layout-keys', env)
    ?.split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const username = optional('username', env);
  const password = optional('password', env);
  return {
    bundle: required('bundle', env),
    ref: required('ref', env),
    metadataDir: optional('metadata', env) ?? 'metadata',
    keysDir: optional('keys', env) ?? 'keys',
    reportPath: optional('report', env) ?? 'cnab-trust-report.json',
    registry: {
      ...(getInput('plain-http', env) === 'true' ? { plainHttp: true } : {}),
      ...(username !== undefined && password !== undefined ? { username, password } : {}),
    },
    ...(getInput('inspections', env) === 'false' ? { inspections: false } : {}),
    ...(optional('push-to', env) === undefined ? {} : { pushTo: optional('push-to', env)! }),
    ...(optional('layout', env) === undefined ? {} : { layout: optional('layout', env)! }),
    ...(layoutKeys === undefined ? {} : { layoutKeys }),
    ...(optional('links', env) === undefined ? {} : { links: optional('links', env)! }),
    ...(optional('trusted-root', env) === undefined ? {} : { trustedRootPath: optional('trusted-root', env)! }),
    ...(optional('metadata-url', env) === undefined ? {} : { metadataUrl: optional('metadata-url', env)! }),
  };
}

/** Append `name=value` to `$GITHUB_OUTPUT` (single-line values). */
function setOutput(name: string, value: string): void {
  const file = process.env['GITHUB_OUTPUT'];
  if (file === undefined || file === '') {
    process.stdout.write(`${name}=${value}\n`);
    return;
  }
  appendFileSync(file, `${name}=${value.replace(/[\r\n]+/g, ' ')}\n`);
}

/** GitHub workflow-command escaping of an annotation message. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export async function runAction(): Promise<number> {
  try {
    const options = optionsFromInputs();
    if (options.registry?.password !== undefined) process.stdout.write(`::add-mask::${escapeData(options.registry.password)}\n`);
    const report = await runPipeline(options);
    if (report.verify) process.stdout.write(formatVerifyReport(report.verify) + '\n');
    setOutput('verified', String(report.ok));
    setOutput('digest', report.verify?.digest ?? '');
    setOutput('report', options.reportPath ?? '');
    if (!report.ok) {
      const e = report.error;
      process.stdout.write(`::error title=cnab-trust pipeline::${escapeData(e ? `${e.code}: ${e.message}` : 'verification failed')}\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    const message = isCnabTrustError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
    setOutput('verified', 'false');
    process.stdout.write(`::error title=cnab-trust pipeline::${escapeData(message)}\n`);
    return 1;
  }
}

runAction().then((code) => {
  process.exitCode = code;
});
