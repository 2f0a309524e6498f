/**
 * The scale bench's store worker: one process per store, holding the store, serving it over node:http exactly
 * as bench/servers/tessera-app.ts serves every HTTP bench (HttpSessions + authenticateNode, GET / validates the
 * cookie), and doing what the bench asks over IPC (protocol.ts): fill to a size, measure the footprint, time
 * creates, revoke-all, list and the sweep. It keeps no token: each fill's sampled tokens go to the bench in the
 * reply, so the memory store's heap figure is the store's alone.
 * `node --import tsx bench/scale/server.ts '<WorkerConfig as JSON>'` (the bench forks it: worker.ts).
 */
import { createTessera, type SessionManager } from '../../src/core/manager.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { serveTessera } from '../servers/tessera-app.js';
import { createFor, fill, listSubject, revokeAll, SCALE_MANAGER_OPTIONS, sweep } from './operations.js';
import { SCALE_PAYLOAD } from './payload.js';
import { isRpcMessage, type WorkerConfig, type WorkerOps, type WorkerRequest } from './protocol.js';
import { reservoirSlot } from './reservoir.js';
import { openScaleStore, type ScaleStore } from './stores.js';

/**
 * Runs the code paths a fill and the operations use on a throw-away memory store first, so the empty-store
 * measure (the memory store's heap) already includes compiled code and the classes sessions use.
 */
async function warmUp(): Promise<void> {
  const scratch = new MemoryStore({ maxSessions: 10_000 });
  const manager = createTessera({ ...SCALE_MANAGER_OPTIONS, store: scratch });
  await fill(manager, 0, 2000, 8, () => {});
  await listSubject(manager, 2, 10, 'warm');
  await revokeAll(manager, 2, 10, 'warm');
  await scratch.close();
}

class StoreWorker {
  readonly #opened: ScaleStore;
  readonly #manager: SessionManager;
  readonly #fillManager: SessionManager;
  readonly #cookieName: string;
  /** Fill sessions created so far (the reservoir counts over all of them). */
  #filled = 0;
  /** Live sessions: the fills' (every operation removes the sessions it makes). */
  #live = 0;

  constructor(opened: ScaleStore, manager: SessionManager, cookieName: string) {
    this.#opened = opened;
    this.#manager = manager;
    this.#cookieName = cookieName;
    this.#fillManager =
      opened.fillStore === opened.store
        ? manager
        : createTessera({ ...SCALE_MANAGER_OPTIONS, store: opened.fillStore });
  }

  async handle(request: WorkerRequest): Promise<WorkerOps[WorkerRequest['op']]['reply']> {
    switch (request.op) {
      case 'info':
        return { cookieName: this.#cookieName, storeKind: this.#opened.store.kind };
      case 'fill':
        return this.#fill(request.target, request.reservoir, request.concurrency);
      case 'footprint':
        return this.#opened.footprint();
      case 'create-rate': {
        const { created, ms } = await createFor(
          this.#manager,
          request.seconds,
          request.most,
          request.concurrency,
          request.tag,
        );
        return { created, ms, live: this.#live };
      }
      case 'revoke-all': {
        const ms = await revokeAll(this.#manager, request.repeats, request.perSubject, request.tag);
        return { ms, live: this.#live };
      }
      case 'list': {
        const ms = await listSubject(this.#manager, request.repeats, request.perSubject, request.tag);
        return { ms, live: this.#live };
      }
      case 'sweep': {
        const { rounds, idleMs } = await sweep(this.#opened.store, request.counts, request.tag);
        return { rounds, idleMs, live: this.#live };
      }
    }
  }

  async #fill(target: number, reservoir: number, concurrency: number): Promise<WorkerOps['fill']['reply']> {
    // The empty-store measure is taken just before the first fill: the other sizes' workers may share the server
    // (Redis used_memory), and they are filled one after another.
    if (this.#filled === 0) await this.#opened.markEmpty();
    const count = Math.max(0, target - this.#live);
    const chosen: [number, number, string][] = [];
    const start = performance.now();
    await fill(this.#fillManager, this.#filled, count, concurrency, (index, token) => {
      const slot = reservoirSlot(index, reservoir);
      if (slot >= 0) chosen.push([index, slot, token]);
    });
    const ms = performance.now() - start;
    this.#filled += count;
    this.#live += count;
    await this.#opened.afterFill();
    // Creates finish out of order; the reservoir's choices must be applied in the order of the items.
    chosen.sort((a, b) => a[0] - b[0]);
    return {
      created: count,
      ms,
      live: this.#live,
      samples: chosen.map(([, slot, token]) => [slot, token] as const),
    };
  }
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
let resolveWorker: (worker: StoreWorker) => void = () => {};
let rejectWorker: (error: unknown) => void = () => {};
const ready = new Promise<StoreWorker>((resolve, reject) => {
  resolveWorker = resolve;
  rejectWorker = reject;
});

// Listening before anything can arrive: a request sent as soon as the port is known waits for `ready`.
process.on('message', (message: unknown) => {
  if (!isRpcMessage(message)) return;
  ready
    .then((worker) => worker.handle(message.request))
    .then(
      (result) => process.send?.({ rpc: message.rpc, result }),
      (error: unknown) =>
        process.send?.({
          rpc: message.rpc,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    );
});

try {
  await warmUp();
  const opened = await openScaleStore(config);
  const sessions = serveTessera(opened.store, () => opened.close(), SCALE_PAYLOAD, SCALE_MANAGER_OPTIONS);
  resolveWorker(new StoreWorker(opened, sessions.manager, sessions.cookieName));
} catch (error) {
  rejectWorker(error);
  console.error('scale worker: could not open its store:', error);
  process.exit(1);
}
