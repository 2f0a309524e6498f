import { parseArgs } from '../args.js';
import { type CheckResult, checkConfig, checkDataDir, checkSecrets, checkStore } from './doctor-checks.js';

const USAGE = 'Usage: tessera doctor\n';
const MARK = { pass: '✓', fail: '✗', warn: '!', skip: '-' } as const;

/**
 * `tessera doctor`: configuration, data folder, store (reachable, schema), clock skew against the store server,
 * key and secret files. One line per check; exit 0 when none failed (warnings `!` and skips `-` do not fail),
 * 1 otherwise.
 */
export async function doctor(args: readonly string[]): Promise<number> {
  parseArgs(args, { usage: USAGE });
  const results: CheckResult[] = [];
  const report = (result: CheckResult | null): void => {
    if (result === null) return;
    results.push(result);
    process.stdout.write(`${MARK[result.status]} ${result.name}: ${result.detail}\n`);
    if (result.hint !== undefined && result.status !== 'pass')
      process.stdout.write(`    hint: ${result.hint}\n`);
  };
  const { result, config } = checkConfig(process.env);
  report(result);
  if (config === null) {
    process.stdout.write('- the other checks need the configuration: skipped\n');
  } else {
    report(await checkDataDir(config.dataDir));
    const store = await checkStore(config);
    report(store.result);
    report(store.schema);
    report(store.clock);
    for (const secret of await checkSecrets(config)) report(secret);
  }
  const failed = results.filter((entry) => entry.status === 'fail').length;
  const warned = results.filter((entry) => entry.status === 'warn').length;
  const warnings = warned === 0 ? '' : ` (${warned} warning${warned === 1 ? '' : 's'})`;
  process.stdout.write(
    failed === 0
      ? `tessera doctor: all checks passed${warnings}\n`
      : `tessera doctor: ${failed} check${failed === 1 ? '' : 's'} failed${warnings}\n`,
  );
  return failed === 0 ? 0 : 1;
}
