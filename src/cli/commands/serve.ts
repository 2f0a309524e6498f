import { createService } from '../../service/app.js';
import { loadConfig } from '../../service/config.js';
import { version } from '../version.js';

/** `tessera serve`: runs until SIGTERM or SIGINT, then exits 0 (1 when the shutdown fails). */
export async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  const service = await createService(config);
  if (service.apiKey.created) {
    // Shown this once, on the start that created it; later starts read it from the file without printing.
    process.stdout.write(
      `tessera: generated an API key and saved it to ${service.apiKey.path} (mode 0600).\n` +
        `tessera: it is shown only this once:\n${service.apiKey.key}\n`,
    );
  }
  const address = await service.listen();
  service.logger.info('listening', {
    host: address.address,
    port: address.port,
    store: service.manager.store.kind,
    version: version(),
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
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
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
