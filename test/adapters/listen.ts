import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MatrixServer } from './matrix.js';

/** Listens on a free loopback port and returns the matrix handle for a node:http server. */
export function listen(server: Server): Promise<MatrixServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
