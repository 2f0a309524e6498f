import type { Cluster } from 'ioredis';
import { StoreUnavailableError } from '../../core/errors.js';
import {
  isNoScript,
  LuaScript,
  openClient,
  type RedisClient,
  type RedisTarget,
  unavailable,
} from './client.js';

export interface ReplicaAcknowledgement {
  /** Replicas that must hold a write before it counts as done (Redis `WAIT`). */
  replicas: number;
  /** Longest wait for them, in ms; must be below `commandTimeoutMs`. */
  timeoutMs: number;
}

/** What a connection needs, already checked (see `resolveSettings` in options.ts). */
export interface ConnectionSettings {
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  waitForReplicas: ReplicaAcknowledgement | null;
}

/** A reply as ioredis hands it over. */
export type Reply = unknown;

/**
 * The store's client and every command sent on it. A URL opens a client this connection owns (and closes);
 * a client passed in stays the caller's. Every command waits for the first connection (bounded), fails at
 * once after a connection loss, and turns faults into StoreUnavailableError; every script runs by EVALSHA
 * (EVAL on NOSCRIPT), followed by a WAIT for replicas on writes when `waitForReplicas` is set.
 */
export class RedisConnection {
  readonly client: RedisClient;
  /** Whether the client is a Redis Cluster client. */
  readonly cluster: boolean;
  readonly #owned: boolean;
  readonly #connectTimeout: number;
  readonly #wait: ReplicaAcknowledgement | null;
  #closed = false;
  #everReady = false;
  #readying: Promise<void> | null = null;

  constructor(target: RedisTarget, settings: ConnectionSettings) {
    this.#connectTimeout = settings.connectTimeoutMs;
    this.#wait = settings.waitForReplicas;
    if (typeof target === 'string') {
      this.client = openClient(target, {
        commandTimeoutMs: settings.commandTimeoutMs,
        connectTimeoutMs: this.#connectTimeout,
      });
      this.#owned = true;
    } else if (typeof target === 'object' && target !== null) {
      this.client = target;
      this.#owned = false;
    } else {
      throw new TypeError('tessera: RedisStore needs a connection (URL, Redis or Cluster)');
    }
    this.cluster = isCluster(this.client);
    // A client without an error listener crashes the process on the first connection fault.
    this.client.on('error', () => {});
  }

  /** Throws once the store is closed. */
  open(): void {
    if (this.#closed) throw new StoreUnavailableError('redis store is closed');
  }

  /**
   * Runs one command with its faults as StoreUnavailableError. Connected (the usual case), this is the command's
   * own promise with one `then`: no async frames on the path of every validation.
   */
  command<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('redis store is closed'));
    if (this.client.status === 'ready') {
      this.#everReady = true;
      return this.#run(operation, run);
    }
    return this.#ready(operation).then(() => this.#run(operation, run));
  }

  #run<T>(operation: string, run: () => Promise<T>): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = run();
    } catch (error) {
      return Promise.reject(unavailable(operation, error));
    }
    return pending.then(undefined, (error: unknown) => {
      throw unavailable(operation, error);
    });
  }

  async eval(
    operation: string,
    script: LuaScript | string,
    write: boolean,
    keys: string[],
    args: (string | number)[],
  ): Promise<Reply> {
    const compiled = typeof script === 'string' ? compiledScript(script) : script;
    return this.command(operation, async () => {
      if (write && this.#wait !== null) return this.#evalDurable(compiled, keys, args, this.#wait);
      const client = this.client;
      try {
        return await client.evalsha(compiled.sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return await client.eval(compiled.source, keys.length, ...keys, ...args);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#owned) return;
    const client = this.client;
    // QUIT lets queued replies arrive; it is bounded, and disconnect() then stops any reconnection for good
    // (a QUIT cut short by a network fault would otherwise leave the client retrying in the background).
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.status === 'ready' ? client.quit() : Promise.resolve(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, this.#connectTimeout);
        }),
      ]);
    } catch {
      // Already gone: nothing to say goodbye to.
    } finally {
      clearTimeout(timer);
      client.disconnect();
    }
  }

  /** The script and a WAIT on the same connection (a pipeline goes to the node that owns the keys). */
  async #evalDurable(
    script: LuaScript,
    keys: string[],
    args: (string | number)[],
    wait: ReplicaAcknowledgement,
  ): Promise<Reply> {
    const run = async (useSha: boolean): Promise<[Error | null, unknown][]> => {
      const pipeline = this.client.pipeline();
      if (useSha) pipeline.evalsha(script.sha, keys.length, ...keys, ...args);
      else pipeline.eval(script.source, keys.length, ...keys, ...args);
      pipeline.call('WAIT', wait.replicas, wait.timeoutMs);
      return ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
    };
    let results = await run(true);
    if (isNoScript(results[0]?.[0])) results = await run(false);
    const [scriptError, reply] = results[0] ?? [new Error('empty pipeline reply'), null];
    if (scriptError !== null) throw scriptError;
    const [waitError, acknowledged] = results[1] ?? [new Error('no WAIT reply'), 0];
    if (waitError !== null) throw waitError;
    if (Number(acknowledged) < wait.replicas) {
      throw new StoreUnavailableError(
        `redis write reached ${Number(acknowledged)} of ${wait.replicas} replicas within ${wait.timeoutMs} ms`,
      );
    }
    return reply;
  }

  async #ready(operation: string): Promise<void> {
    const client = this.client;
    if (client.status === 'ready') {
      this.#everReady = true;
      return;
    }
    // After a connection loss, fail at once (503) while the client reconnects in the background.
    if (this.#everReady || client.status === 'end' || client.status === 'close') {
      throw new StoreUnavailableError(`redis store is not connected (${client.status}) during ${operation}`);
    }
    this.#readying ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new StoreUnavailableError(`redis store did not connect within ${this.#connectTimeout} ms`));
      }, this.#connectTimeout);
      const onReady = (): void => {
        done();
        resolve();
      };
      const done = (): void => {
        clearTimeout(timer);
        client.off('ready', onReady);
        this.#readying = null;
      };
      client.on('ready', onReady);
      if (client.status === 'wait') client.connect().catch(() => {});
    });
    await this.#readying;
    this.#everReady = true;
  }
}

const compiled = new Map<string, LuaScript>();
function compiledScript(source: string): LuaScript {
  let script = compiled.get(source);
  if (script === undefined) {
    script = new LuaScript(source);
    compiled.set(source, script);
  }
  return script;
}

function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}
