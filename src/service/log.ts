import { type DestinationStream, pino } from 'pino';
import { containsTokenShape } from '../core/token.js';
import type { LogLevel } from './config.js';

/** One structured log line's fields. Callers pass public ids only: never a token, API key or hash. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * Field names that would hold a credential. The service never logs one (callers pass public ids only); pino
 * censors these anyway, as a second line of defence against a future call site that forgets.
 */
export const REDACTED_FIELDS: readonly string[] = Object.freeze([
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'authorization',
  'cookie',
  'secret',
  'secretHash',
  'password',
]);

const CENSOR = '[redacted]';

/**
 * The service's logger: pino writing JSON lines (`level` as a name, ISO `time`, `msg`, then the fields) to
 * stdout, or to `write` (tests collect the lines). Credential-named fields are censored, and so is any field
 * value with a token's shape (a session, refresh or JWT token), whatever its name.
 */
export function createLogger(level: LogLevel, write?: (line: string) => void): Logger {
  const destination: DestinationStream = write === undefined ? process.stdout : { write };
  const log = pino(
    {
      level,
      base: null,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACTED_FIELDS], censor: CENSOR },
      formatters: { level: (label) => ({ level: label }), log: censorTokenShapes },
    },
    destination,
  );
  // `msg` goes in the object, so it comes right after `level` and `time` as it always did (pino would append a
  // message argument last; readers that wait for the `listening` line match `"msg":"listening"` before its port).
  return {
    info: (message, fields = {}) => log.info({ msg: message, ...fields }),
    warn: (message, fields = {}) => log.warn({ msg: message, ...fields }),
    error: (message, fields = {}) => log.error({ msg: message, ...fields }),
  };
}

function censorTokenShapes(fields: Record<string, unknown>): Record<string, unknown> {
  let censored: Record<string, unknown> | null = null;
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string' && containsTokenShape(value)) {
      censored ??= { ...fields };
      censored[name] = CENSOR;
    }
  }
  return censored ?? fields;
}
