import { type TesseraErrorCode, TesseraError } from '../../core/errors.js';
import type { CsrfReason } from '../../transport/csrf/origin.js';
import type { HttpReply } from '../../transport/reply.js';

/**
 * Why a wrapped Server Action did not run, as a value the form can show (`useActionState`), never an
 * HTTP 500: a CSRF refusal (with its reason), a missing, invalid or expired session when the action requires
 * one, a level below the requirement, or the store being down.
 */
export type NextActionFailure =
  | {
      readonly ok: false;
      readonly code: 'csrf_rejected';
      readonly status: 403;
      readonly reason: CsrfReason | 'unchecked';
    }
  | {
      readonly ok: false;
      readonly code: Exclude<TesseraErrorCode, 'csrf_rejected'> | 'internal';
      readonly status: number;
    };

interface ReplyBody {
  error?: { code?: string; message?: string; reason?: string };
}

/** The failure a refusal reply stands for (the reply is the pipeline's one mapping from outcome to status). */
export function failureFromReply(reply: HttpReply): NextActionFailure {
  const error = (JSON.parse(reply.body) as ReplyBody).error ?? {};
  if (error.code === 'csrf_rejected') {
    return { ok: false, code: 'csrf_rejected', status: 403, reason: error.reason as CsrfReason };
  }
  const code = (error.code ?? 'internal') as Exclude<TesseraErrorCode, 'csrf_rejected'> | 'internal';
  return { ok: false, code, status: reply.status };
}

/** The same refusal as an error, for the helpers called outside a wrapper (they cannot return a value). */
export function errorFromReply(reply: HttpReply): TesseraError | Error {
  const failure = failureFromReply(reply);
  if (failure.code === 'internal') return new Error('tessera: internal error');
  const reason = failure.code === 'csrf_rejected' ? ` (${failure.reason})` : '';
  return new TesseraError(failure.code, `tessera: request refused: ${failure.code}${reason}`);
}
