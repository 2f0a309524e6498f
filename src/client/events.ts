/**
 * What the client reports to `subscribe`: its own changes (`remote: false`) and those another tab made
 * (`remote: true`, learnt over the BroadcastChannel).
 * - `signed-in`: a new token pair was stored (`signIn`, `setTokens`).
 * - `refreshed`: the pair was rotated.
 * - `signed-out`: the tokens are gone: `signOut` (`reason: 'local'`) or a refused refresh
 *   (`reason: 'refused'`, with the error).
 */
export type TesseraClientEvent =
  | { readonly type: 'signed-in' | 'refreshed'; readonly remote: boolean }
  | {
      readonly type: 'signed-out';
      readonly remote: boolean;
      readonly reason: 'local' | 'refused';
    };

export type TesseraClientListener = (event: TesseraClientEvent) => void;

/** Listeners, each called in its own try so one that throws does not stop the others. */
export class Listeners {
  readonly #listeners = new Set<TesseraClientListener>();

  add(listener: TesseraClientListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('tessera client: a listener must be a function');
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: TesseraClientEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
