import type { LogLevel } from './config.js';

/** One structured log line's fields. Callers pass public ids only: never a token, API key or hash. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const RANK: Readonly<Record<LogLevel, number>> = { info: 0, warn: 1, error: 2, silent: 3 };

/** A JSON-lines logger: one object per line, `time`, `level`, `msg`, then the fields. */
export function createLogger(level: LogLevel, write: (line: string) => void = writeStdout): Logger {
  const emit =
    (lineLevel: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields: LogFields = {}): void => {
      if (RANK[lineLevel] < RANK[level]) return;
      write(
        `${JSON.stringify({ time: new Date().toISOString(), level: lineLevel, msg: message, ...fields })}\n`,
      );
    };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

function writeStdout(line: string): void {
  process.stdout.write(line);
}
