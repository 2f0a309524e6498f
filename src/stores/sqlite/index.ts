export { migrate, SCHEMA_VERSION } from './schema.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export type { SqliteDatabase, SqliteDriverName, SqliteStatement } from './driver.js';
