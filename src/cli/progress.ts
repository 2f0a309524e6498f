/**
 * Progress of long work (a migration, a sweep, verifying a large audit trail), written to stderr so stdout keeps
 * only the result a script reads. Shown when stderr is a terminal, or always with `--progress`.
 */
export interface Progress {
  /** Reports `text` now (a stage, such as "connecting"). */
  stage(text: string): void;
  /**
   * Reports `text` when a second has passed since the last line, or when `fraction` (0-1, when the size of the
   * work is known) crossed the next tenth, so a run prints at most about ten lines plus one a second.
   */
  tick(text: string, fraction?: number): void;
}

const SILENT: Progress = Object.freeze({ stage() {}, tick() {} });

export function progressReporter(
  label: string,
  enabled: boolean,
  write: (text: string) => void = (text) => process.stderr.write(text),
  now: () => number = Date.now,
): Progress {
  if (!enabled) return SILENT;
  const started = now();
  let lastAt = started;
  let lastTenth = 0;
  const line = (text: string): void => {
    lastAt = now();
    write(`tessera: ${label}: ${text} (${((lastAt - started) / 1000).toFixed(1)} s)\n`);
  };
  return {
    stage: line,
    tick(text, fraction) {
      const tenth = fraction === undefined ? lastTenth : Math.floor(Math.min(1, Math.max(0, fraction)) * 10);
      if (tenth > lastTenth || now() - lastAt >= 1000) {
        lastTenth = Math.max(tenth, lastTenth);
        line(text);
      }
    },
  };
}

/** Whether to show progress: `--progress` given, or stderr is a terminal. */
export function wantsProgress(flag: boolean): boolean {
  return flag || process.stderr.isTTY === true;
}
