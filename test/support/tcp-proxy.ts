/**
 * A loopback TCP proxy that a test can break on purpose, standing between a store client and the real server.
 * - `cut()`: resets every open connection and every new one (server crashed / port closed);
 * - `stall()`: keeps connections open but stops moving bytes (network partition: clients must time out);
 * - `restore()`: forwards again (bytes held during a stall are delivered in order, as TCP would).
 */
import { createServer, type Server, Socket } from 'node:net';

type Mode = 'open' | 'cut' | 'stall';

export class TcpProxy {
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  #mode: Mode = 'open';

  private constructor(targetHost: string, targetPort: number) {
    this.#server = createServer((client) => {
      if (this.#mode === 'cut') {
        client.resetAndDestroy();
        return;
      }
      const upstream = new Socket();
      const pair: [Socket, Socket] = [client, upstream];
      this.#pairs.add(pair);
      const end = (): void => {
        this.#pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      upstream.connect(targetPort, targetHost);
      client.pipe(upstream);
      upstream.pipe(client);
      if (this.#mode === 'stall') this.#pause(pair);
    });
  }

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** Number of client connections currently open through the proxy. */
  get connections(): number {
    return this.#pairs.size;
  }

  cut(): void {
    this.#mode = 'cut';
    for (const [client, upstream] of this.#pairs) {
      // destroy(), not resetAndDestroy(): the latter can spin on a socket whose peer already half-closed it.
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  stall(): void {
    this.#mode = 'stall';
    for (const pair of this.#pairs) this.#pause(pair);
  }

  restore(): void {
    const wasStalled = this.#mode === 'stall';
    this.#mode = 'open';
    if (!wasStalled) return;
    for (const [client, upstream] of this.#pairs) {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      upstream.resume();
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #pause([client, upstream]: [Socket, Socket]): void {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  }
}
