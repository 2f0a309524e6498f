import { createService, type Service } from '../../service/app.js';
import { loadConfig } from '../../service/config.js';
import { unknownVariableWarnings } from '../../service/env-names.js';
import { UsageError } from '../args.js';
import { HELP } from '../help.js';
import { version } from '../version.js';

/**
 * `tessera serve`: runs until SIGTERM or SIGINT, then exits 0 (1 when the shutdown fails). Returns false without
 * starting for `--help` (the help is printed); any other argument is a usage error.
 */
export async function serve(args: readonly string[] = []): Promise<boolean> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return false;
  }
  if (args.length > 0) {
    throw new UsageError(`serve takes no arguments (got "${String(args[0]).slice(0, 40)}")`, HELP);
  }
  // Human lines go to stderr; stdout carries only the JSON log stream.
  for (const warning of unknownVariableWarnings(process.env))
    process.stderr.write(`tessera: warning: ${warning}\n`);
  const config = loadConfig(process.env);
  const service = await createService(config);
  if (service.apiKey.created) {
    // Shown this once, on the start that created it; later starts read it from the file without printing.
    process.stderr.write(
      `tessera: generated an API key and saved it to ${service.apiKey.path} (mode 0600).\n` +
        `tessera: it is shown only this once:\n${service.apiKey.key}\n`,
    );
  }
  // Before the URL is announced: a supervisor that sends SIGTERM as soon as it sees the line must not find the
  // signal's default action (an immediate exit) still in force.
  stopOnSignals(service);
  const address = await service.listen();
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  process.stderr.write(`tessera: listening on ${url} (admin console: ${url}/admin)\n`);
  service.logger.info('listening', {
    host: address.address,
    port: address.port,
    store: service.manager.store.kind,
    version: version(),
    pid: process.pid,
  });
  return true;
}

/** SIGTERM and SIGINT close the service (requests in flight finish, the store closes), then exit 0. */
function stopOnSignals(service: Service): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    // Kept listening after the first signal: `npm start` forwards a terminal's Ctrl-C that the service also got
    // from the terminal, and a second signal without a listener would kill the process mid-shutdown.
    if (stopping) return;
    stopping = true;
    service.logger.info('shutting down', { signal });
    service.close().then(
      () => {
        service.logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        service.logger.error('shutdown failed', { error: (error as Error).message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
