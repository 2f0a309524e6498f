/**
 * Shared start-up for bench servers: listen on 127.0.0.1 with a free port, tell the parent (over the fork IPC
 * channel) which port, answer CPU-time queries, and exit when the parent goes away so no server outlives a
 * bench.
 *
 * Every bench server answers the same two routes:
 *   POST /login -> 204 + Set-Cookie for a new session of subject "bench-user"
 *   GET  /      -> 200 {"subject":"bench-user"} with a valid session cookie, 401 without one
 */
import type { Server } from 'node:http';

export const SUBJECT = 'bench-user';
export const OK_BODY = JSON.stringify({ subject: SUBJECT });

/** Starts `server`; `cleanup` runs before the process exits (close a store, remove temp files). */
export function listen(server: Server, cleanup: () => Promise<void> = async () => {}): void {
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('bench server: no port');
    process.send?.({ port: address.port });
  });
  const stop = (): void => {
    cleanup().finally(() => process.exit(0));
  };
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  // CPU time this process has used (user + system, microseconds), so the bench can charge each server the
  // CPU it spent per request: a figure that other processes on a shared machine barely move.
  process.on('message', (message: unknown) => {
    if (message === 'cpu') {
      const usage = process.cpuUsage();
      process.send?.({ cpu: usage.user + usage.system });
    }
  });
}
