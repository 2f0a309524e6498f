#!/usr/bin/env node
import { UsageError } from './args.js';
import { HELP } from './help.js';
import { version } from './version.js';

/** A command: its arguments after the command name in, an exit code out (-1: keep running, as `serve`). */
type Command = (args: readonly string[]) => Promise<number>;

// Each command's module is loaded only when it runs, so `tessera keys generate` never loads the HTTP service.
const COMMANDS: Readonly<Record<string, Command>> = {
  serve: async (args) => ((await (await import('./commands/serve.js')).serve(args)) ? -1 : 0),
  migrate: async (args) => (await import('./commands/migrate.js')).migrate(args),
  audit: async (args) => (await import('./commands/audit.js')).audit(args),
  sessions: async (args) => (await import('./commands/sessions.js')).sessions(args),
  keys: async (args) => (await import('./commands/keys.js')).keys(args),
  doctor: async (args) => (await import('./commands/doctor.js')).doctor(args),
};

async function main(argv: readonly string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run !== undefined) return run(argv.slice(1));
  switch (command) {
    case 'version':
    case '--version':
      process.stdout.write(`${version()}\n`);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    default:
      process.stderr.write(`tessera: unknown command "${command.slice(0, 40)}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`tessera: ${error.message}\n${error.usage}`);
      process.exit(2);
    }
    // By name, not instanceof: the config module is loaded by the command that failed, not here.
    if (error instanceof Error && error.name === 'ConfigError') {
      process.stderr.write(`tessera: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    const message = error instanceof Error ? error.message : String(error);
    // Tessera's own errors already start with "tessera: " (a missing store driver, a bad option).
    process.stderr.write(`${message.startsWith('tessera: ') ? '' : 'tessera: '}${message}\n`);
    process.exit(1);
  },
);
