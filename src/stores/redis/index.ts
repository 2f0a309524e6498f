export type { RedisClient, RedisTarget } from './client.js';
export type { ReplicaAcknowledgement } from './connection.js';
export { KeyLayout } from './keys.js';
export type { RedisStoreOptions } from './options.js';
export { RedisStore } from './redis-store.js';
