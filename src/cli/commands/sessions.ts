import type { Session } from '../../core/session.js';
import { isSessionId } from '../../core/token.js';
import { sessionJson } from '../../service/session-json.js';
import { type ParsedArgs, parseArgs, stringFlag, UsageError } from '../args.js';
import { progressReporter, wantsProgress } from '../progress.js';
import { withManager } from '../store.js';
import { printable, table } from '../table.js';

// end-all first: scripts and tests match its line.
export const SESSIONS_USAGE = `Usage: tessera sessions end-all --yes [--reason <text>]
   or: tessera sessions list <subject> [--json]
   or: tessera sessions revoke <session-id>
   or: tessera sessions revoke-all <subject> [--except <session-id>]
   or: tessera sessions sweep [--batch <n>] [--progress]
`;

/**
 * `tessera sessions …` on the store TESSERA_STORE names, through `SessionManager` as the API does. Exit codes:
 * 0 done; 1 nothing matched (`revoke` of an unknown id, `revoke-all` that ended none) or a store fault;
 * 2 a usage or configuration error. Only public session ids are printed, never a token.
 */
export async function sessions(args: readonly string[]): Promise<number> {
  const rest = args.slice(1);
  switch (args[0]) {
    case 'end-all':
      return endAll(parseArgs(rest, { flags: { yes: false, reason: true }, usage: SESSIONS_USAGE }));
    case 'list':
      return list(parseArgs(rest, { flags: { json: false }, min: 1, max: 1, usage: SESSIONS_USAGE }));
    case 'revoke':
      return revoke(parseArgs(rest, { min: 1, max: 1, usage: SESSIONS_USAGE }));
    case 'revoke-all':
      return revokeAll(parseArgs(rest, { flags: { except: true }, min: 1, max: 1, usage: SESSIONS_USAGE }));
    case 'sweep':
      return sweep(parseArgs(rest, { flags: { batch: true, progress: false }, usage: SESSIONS_USAGE }));
    default:
      throw new UsageError(
        args[0] === undefined
          ? 'sessions needs a subcommand'
          : `unknown subcommand "${args[0].slice(0, 40)}"`,
        SESSIONS_USAGE,
      );
  }
}

/** Ends every session of every user (ASVS 5.0 7.4.5): cut-off first, then removal. 2 without `--yes`. */
async function endAll(parsed: ParsedArgs): Promise<number> {
  if (!parsed.flags.has('yes')) {
    process.stderr.write(
      'tessera: sessions end-all signs out every user of every node on this store, at once and for good.\n' +
        'tessera: nothing was changed; run it again with --yes to confirm.\n',
    );
    return 2;
  }
  const reason = stringFlag(parsed, 'reason');
  const { ended, kind } = await withManager(async (manager, store) => ({
    ended: await manager.endEverySession(reason === undefined ? {} : { reason }),
    kind: store.kind,
  }));
  process.stdout.write(`tessera: ended ${ended} session${ended === 1 ? '' : 's'} in the ${kind} store\n`);
  return 0;
}

async function list(parsed: ParsedArgs): Promise<number> {
  const subject = subjectArg(parsed.positionals[0] as string);
  const found = await withManager((manager) => manager.list(subject));
  if (parsed.flags.has('json')) {
    process.stdout.write(`${JSON.stringify({ sessions: found.map(sessionJson) }, null, 2)}\n`);
    return 0;
  }
  if (found.length === 0) {
    process.stdout.write(`tessera: ${printable(subject)} has no live sessions\n`);
    return 0;
  }
  process.stdout.write(
    table(
      ['ID', 'CREATED', 'LAST SEEN', 'EXPIRES', 'LEVEL', 'IP', 'USER AGENT'],
      found.map((session) => [
        session.id,
        time(session.createdAt),
        time(session.lastSeenAt),
        time(expires(session)),
        String(session.level),
        session.ip ?? '-',
        (session.userAgent ?? '-').slice(0, 60),
      ]),
    ),
  );
  return 0;
}

async function revoke(parsed: ParsedArgs): Promise<number> {
  const id = parsed.positionals[0] as string;
  const shown = printable(id.slice(0, 40));
  if (!isSessionId(id)) {
    throw new UsageError(`"${shown}" is not a session id (26 base64url characters)`, SESSIONS_USAGE);
  }
  // The reason the API's DELETE /v1/sessions/{id} gives.
  const removed = await withManager((manager) => manager.revokeById(id, 'admin'));
  if (!removed) {
    process.stderr.write(`tessera: no live session ${id}\n`);
    return 1;
  }
  process.stdout.write(`tessera: revoked session ${id}\n`);
  return 0;
}

async function revokeAll(parsed: ParsedArgs): Promise<number> {
  const subject = subjectArg(parsed.positionals[0] as string);
  const except = stringFlag(parsed, 'except') ?? null;
  if (except !== null && !isSessionId(except)) {
    throw new UsageError(
      `--except "${printable(String(except).slice(0, 40))}" is not a session id`,
      SESSIONS_USAGE,
    );
  }
  const ended = await withManager((manager) => manager.revokeSubject(subject, { except }));
  const kept = except === null ? '' : ` (kept ${except})`;
  process.stdout.write(
    `tessera: revoked ${ended} session${ended === 1 ? '' : 's'} of ${printable(subject)}${kept}\n`,
  );
  return ended === 0 ? 1 : 0;
}

/** Removes expired sessions in batches until a batch comes back short, as the service's sweeper does. */
async function sweep(parsed: ParsedArgs): Promise<number> {
  const raw = stringFlag(parsed, 'batch') ?? '500';
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) {
    throw new UsageError('--batch must be a whole number from 1 to 999999', SESSIONS_USAGE);
  }
  const batch = Number(raw);
  const progress = progressReporter('sweep', wantsProgress(parsed.flags.has('progress')));
  const { removed, kind } = await withManager(async (manager, store) => {
    progress.stage(`sweeping the ${store.kind} store in batches of ${batch}`);
    let total = 0;
    for (;;) {
      const count = await manager.sweepExpired(batch);
      total += count;
      progress.tick(`${total} expired sessions removed`);
      if (count < batch) return { removed: total, kind: store.kind };
    }
  });
  process.stdout.write(
    `tessera: removed ${removed} expired session${removed === 1 ? '' : 's'} from the ${kind} store\n`,
  );
  return 0;
}

function subjectArg(subject: string): string {
  // The API's limit (routes/subjects.ts); the manager checks the rest.
  if (subject === '' || subject.length > 256) {
    throw new UsageError('a subject is 1 to 256 characters', SESSIONS_USAGE);
  }
  return subject;
}

function expires(session: Session): number {
  return Math.min(session.idleExpiresAt, session.absoluteExpiresAt);
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
