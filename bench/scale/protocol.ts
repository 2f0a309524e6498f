/**
 * What the scale bench and its store worker (bench/scale/server.ts) say to each other over the fork IPC
 * channel. The parent sends `{ rpc, request }`; the worker answers `{ rpc, result }` or `{ rpc, error }`.
 * (The worker also answers the `'cpu'` message every bench server answers: bench/servers/listen.ts.)
 */
import type { ScaleStoreKind } from './config.js';

/** How the worker opens its store: passed as its one argument, JSON. */
export interface WorkerConfig {
  readonly kind: ScaleStoreKind;
  /** SQLite: the database file (in a temp folder the parent made and removes). */
  readonly sqlitePath: string;
  readonly postgresUrl: string;
  /** PostgreSQL: a schema of the bench's own, dropped after. */
  readonly schema: string;
  readonly redisUrl: string;
  /** Redis: a key prefix of the bench's own, deleted after. */
  readonly prefix: string;
}

/** What the store holds, by the method that suits it (see footprint.ts). */
export interface Footprint {
  /** Bytes the store's sessions take: the measured size minus the same measure of the empty store. */
  readonly bytes: number;
  /** How that splits, where the method can tell (bytes; informational). */
  readonly parts: Readonly<Record<string, number>>;
  /** A second, independent figure where there is one (Redis: INFO used_memory delta, server-wide). */
  readonly check: { readonly name: string; readonly bytes: number } | null;
  /** One line saying how it was measured. */
  readonly method: string;
}

export interface FillReply {
  /** Sessions this call created. */
  readonly created: number;
  readonly ms: number;
  /** Live sessions the store holds now (fills and the operations' sessions that stay). */
  readonly live: number;
  /** Reservoir choices, `[slot, token]`, in order (reservoir.ts). */
  readonly samples: readonly (readonly [number, string])[];
}

export interface CreateRateReply {
  readonly created: number;
  /** Milliseconds of the creates alone (their removal afterwards is not timed). */
  readonly ms: number;
  readonly live: number;
}

export interface TimedReply {
  /** Milliseconds of each timed call. */
  readonly ms: readonly number[];
  readonly live: number;
}

export interface SweepRound {
  /** Sessions made to expire before this sweep. */
  readonly expired: number;
  /** Sessions the sweep removed (must equal `expired`). */
  readonly removed: number;
  /** Calls of `sweepExpired` it took. */
  readonly calls: number;
  readonly ms: number;
}

export interface SweepReply {
  readonly rounds: readonly SweepRound[];
  /** Milliseconds of one `sweepExpired` call when nothing is due (median of several). */
  readonly idleMs: number;
  readonly live: number;
}

export interface InfoReply {
  readonly cookieName: string;
  readonly storeKind: string;
}

/** Every request, by `op`, with the reply it gets. */
export interface WorkerOps {
  info: { request: { op: 'info' }; reply: InfoReply };
  fill: { request: { op: 'fill'; target: number; reservoir: number; concurrency: number }; reply: FillReply };
  footprint: { request: { op: 'footprint' }; reply: Footprint };
  'create-rate': {
    request: { op: 'create-rate'; seconds: number; most: number; concurrency: number; tag: string };
    reply: CreateRateReply;
  };
  'revoke-all': {
    request: { op: 'revoke-all'; repeats: number; perSubject: number; tag: string };
    reply: TimedReply;
  };
  list: { request: { op: 'list'; repeats: number; perSubject: number; tag: string }; reply: TimedReply };
  sweep: { request: { op: 'sweep'; counts: readonly number[]; tag: string }; reply: SweepReply };
}

export type WorkerOp = keyof WorkerOps;
export type WorkerRequest = WorkerOps[WorkerOp]['request'];

export interface RpcMessage {
  readonly rpc: number;
  readonly request: WorkerRequest;
}

export type RpcAnswer =
  | { readonly rpc: number; readonly result: unknown }
  | { readonly rpc: number; readonly error: string };

export function isRpcMessage(message: unknown): message is RpcMessage {
  return typeof message === 'object' && message !== null && 'rpc' in message && 'request' in message;
}

export function isRpcAnswer(message: unknown): message is RpcAnswer {
  return (
    typeof message === 'object' &&
    message !== null &&
    'rpc' in message &&
    ('result' in message || 'error' in message)
  );
}
