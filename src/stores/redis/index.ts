export type { RedisClient, RedisTarget } from './client.js';
export { KeyLayout } from './keys.js';
export { type RedisStoreOptions, RedisStore, type ReplicaAcknowledgement } from './redis-store.js';
