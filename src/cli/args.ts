/**
 * The CLI's argument parser: positionals and `--name [value]` flags, nothing more. Every command declares the
 * flags it takes, so an unknown or misspelt flag is a usage error (exit 2) instead of being ignored.
 */

/** A usage mistake: printed with the command's usage, exit 2. */
export class UsageError extends Error {
  readonly usage: string;
  constructor(message: string, usage: string) {
    super(message);
    this.name = 'UsageError';
    this.usage = usage;
  }
}

export interface ArgSpec {
  /** `true` for a flag that takes a value (`--kid abc`), `false` for a switch (`--json`). */
  readonly flags?: Readonly<Record<string, boolean>>;
  /** Fewest and most positional arguments. @default 0 and 0 */
  readonly min?: number;
  readonly max?: number;
  /** Shown after the message of every usage error. */
  readonly usage: string;
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  /** Switches map to `true`, valued flags to their value. */
  readonly flags: ReadonlyMap<string, string | true>;
}

export function parseArgs(args: readonly string[], spec: ArgSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const known = spec.flags ?? {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const name = arg.slice(2);
    const takesValue = Object.hasOwn(known, name) ? known[name] : undefined;
    if (takesValue === undefined) throw new UsageError(`unknown argument "${arg.slice(0, 40)}"`, spec.usage);
    if (takesValue) {
      const value = args[i + 1];
      if (value === undefined) throw new UsageError(`${arg} needs a value`, spec.usage);
      flags.set(name, value);
      i++;
    } else {
      flags.set(name, true);
    }
  }
  if (positionals.length < (spec.min ?? 0)) throw new UsageError('missing argument', spec.usage);
  if (positionals.length > (spec.max ?? 0)) {
    throw new UsageError(
      `unexpected argument "${(positionals[spec.max ?? 0] as string).slice(0, 40)}"`,
      spec.usage,
    );
  }
  return { positionals, flags };
}

/** A valued flag, or undefined when absent. */
export function stringFlag(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}
