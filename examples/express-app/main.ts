/**
 * Runs the example: `npm run example` (or `node --import tsx examples/express-app/main.ts`), then open the
 * printed http://localhost URL. Settings come from the environment:
 * - EXAMPLE_PORT (default 3000), EXAMPLE_HOST (listen address, default 127.0.0.1),
 * - EXAMPLE_DATA_DIR (default ./data/example),
 * - EXAMPLE_CSRF_SECRET (>= 32 characters; default a random key per process),
 * - EXAMPLE_DEV_COOKIES=1: plain-HTTP cookie (`tessera-session`, no Secure) for browsers that drop Secure
 *   cookies on http://localhost. Chromium does not need it.
 */
import { startExampleApp } from './app.js';

const app = await startExampleApp({
  dataDir: process.env.EXAMPLE_DATA_DIR ?? 'data/example',
  port: Number(process.env.EXAMPLE_PORT ?? 3000),
  host: process.env.EXAMPLE_HOST ?? '127.0.0.1',
  cookie: process.env.EXAMPLE_DEV_COOKIES === '1' ? { development: true } : {},
  ...(process.env.EXAMPLE_CSRF_SECRET ? { csrfSecret: process.env.EXAMPLE_CSRF_SECRET } : {}),
  // A structured log line per event: public session ids only, never a token.
  onEvent: (event) => console.log(JSON.stringify(event)),
});
console.log(`Tessera example app: ${app.url}`);

const stop = async (): Promise<void> => {
  await app.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
