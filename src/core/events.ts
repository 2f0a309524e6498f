/** Lifecycle and security events. They carry the public session id, never a token or a secret hash. */
export type TesseraEventType =
  | 'created'
  | 'rotated'
  | 'elevated'
  | 'renewed'
  | 'revoked'
  | 'expired'
  | 'unknown-token'
  | 'binding-mismatch'
  /** A session's device registered its key (DBSC): the session token alone no longer works. */
  | 'device-bound'
  | 'refresh-reuse'
  | 'csrf-rejected'
  | 'data-updated'
  | 'session-limit'
  | 'revoked-everyone';

export interface TesseraEvent {
  readonly type: TesseraEventType;
  /** When it happened (ms since the epoch, from the injected clock). */
  readonly at: number;
  readonly sessionId: string | null;
  readonly subject: string | null;
  /**
   * Why, for events with a cause: `logout`, `admin`, `revoke-all`, `evicted`, `idle`, `absolute`, … (for
   * `revoked-everyone`, the caller's reason, `end-every-session` by default).
   */
  readonly reason?: string;
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}

export type TesseraEventListener = (event: TesseraEvent) => void;

/** A small synchronous emitter. A throwing listener never breaks a request; its error goes to `onError`. */
export class EventHub {
  readonly #listeners = new Map<TesseraEventType | '*', Set<TesseraEventListener>>();
  readonly #onError: (error: unknown) => void;

  constructor(
    onError: (error: unknown) => void = (error) => console.error('tessera: event listener failed', error),
  ) {
    this.#onError = onError;
  }

  /** Subscribes to one event type, or `*` for all. Returns the function that unsubscribes. */
  on(type: TesseraEventType | '*', listener: TesseraEventListener): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit(event: TesseraEvent): void {
    if (this.#listeners.size === 0) return;
    for (const key of [event.type, '*'] as const) {
      const set = this.#listeners.get(key);
      if (set === undefined) continue;
      for (const listener of set) {
        try {
          listener(event);
        } catch (error) {
          this.#onError(error);
        }
      }
    }
  }
}
