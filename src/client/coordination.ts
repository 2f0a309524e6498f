/**
 * Runs `work` holding the origin-wide lock `name` (Web Locks): one tab at a time, queued in order. Every
 * current browser has Web Locks in secure contexts; without them only this tab is serialised, and concurrent
 * refreshes from two tabs fall back on the server's grace window (same successor for the same client).
 */
export function withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  if (locks === undefined) return work();
  return locks.request(name, { mode: 'exclusive' }, work) as Promise<T>;
}

/** What tabs tell each other: the stored tokens changed, or are gone. Never the tokens themselves. */
export type TabMessage =
  | { readonly type: 'tokens'; readonly reason: 'signed-in' | 'refreshed' }
  | { readonly type: 'signed-out'; readonly reason: 'local' | 'refused' };

/** A BroadcastChannel to the origin's other tabs (none when the browser lacks it). */
export interface TabChannel {
  post(message: TabMessage): void;
  close(): void;
}

export function openTabChannel(name: string, receive: (message: TabMessage) => void): TabChannel {
  if (typeof BroadcastChannel === 'undefined') return { post: () => {}, close: () => {} };
  const channel = new BroadcastChannel(name);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const { type, reason } = (event.data ?? {}) as { type?: unknown; reason?: unknown };
    if (type === 'tokens' && (reason === 'signed-in' || reason === 'refreshed')) receive({ type, reason });
    if (type === 'signed-out' && (reason === 'local' || reason === 'refused')) receive({ type, reason });
  };
  return { post: (message) => channel.postMessage(message), close: () => channel.close() };
}
