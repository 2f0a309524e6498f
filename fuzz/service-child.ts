/**
 * The service under test, in a process of its own (so a crash is seen, not shared): the real `createService`
 * on the store the environment names (TESSERA_* variables, as `tessera serve` reads them). It reports its port
 * and every error log line to the runner over IPC, and closes cleanly when told to.
 */
import { createService } from '../src/service/app.js';
import { loadConfig } from '../src/service/config.js';

const send = (message: unknown): void => {
  if (process.connected) process.send?.(message);
};

const service = await createService(loadConfig(process.env), {
  log: (line) => send({ type: 'log', line: line.trimEnd() }),
});
const address = await service.listen();
send({ type: 'ready', port: address.port });

let closing = false;
const close = (): void => {
  if (closing) return;
  closing = true;
  service.close().then(
    () => process.exit(0),
    () => process.exit(3),
  );
};
process.on('message', (message) => {
  if (message === 'close') close();
});
process.on('disconnect', close);
