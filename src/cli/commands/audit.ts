import { stat } from 'node:fs/promises';
import { verifyAuditTrail } from '../../audit/verify.js';
import { loadConfig } from '../../service/config.js';
import { parseArgs, UsageError } from '../args.js';
import { progressReporter, wantsProgress } from '../progress.js';

const USAGE = 'Usage: tessera audit verify [file] [--progress]\n';

/** `tessera audit verify [file]`: 0 when the chain is intact, 1 when broken, 2 on a usage error. */
export async function audit(args: readonly string[]): Promise<number> {
  if (args[0] !== 'verify') throw new UsageError('audit needs a subcommand', USAGE);
  const parsed = parseArgs(args.slice(1), { flags: { progress: false }, max: 1, usage: USAGE });
  const file = parsed.positionals[0] ?? loadConfig(process.env).auditFile;
  if (file === null) {
    process.stderr.write('tessera: the audit trail is off (TESSERA_AUDIT_FILE=off); name a file to verify\n');
    return 2;
  }
  const progress = progressReporter('audit verify', wantsProgress(parsed.flags.has('progress')));
  // The size only scales the progress lines; a missing file is reported by the verification itself.
  const size = await stat(file).then(
    (info) => info.size,
    () => 0,
  );
  const result = await verifyAuditTrail(file, {
    onProgress: ({ records, bytes }) => {
      const fraction = size > 0 ? bytes / size : undefined;
      const percent = fraction === undefined ? '' : ` (${Math.floor(fraction * 100)}%)`;
      progress.tick(
        `${records} records verified, ${megabytes(bytes)} of ${megabytes(size)}${percent}`,
        fraction,
      );
    },
  });
  if (!result.ok) {
    process.stderr.write(
      `tessera: audit trail ${file} is BROKEN at ${result.message} (${result.reason}); ` +
        `${result.records} records verified before it\n`,
    );
    return 1;
  }
  const torn =
    result.recovered.length === 0 ? '' : `, torn writes recovered at lines ${result.recovered.join(', ')}`;
  process.stdout.write(
    `tessera: audit trail ${file} is intact: ${result.records} records, last seq ${result.lastSeq}${torn}\n` +
      `tessera: head ${result.head} (keep it elsewhere to detect a later cut of the tail)\n`,
  );
  return 0;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
