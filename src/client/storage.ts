import { TesseraClientError } from './errors.js';

/** The one object store of the client's database: the key pair under `key`, the tokens under `tokens`. */
const STORE = 'tessera';

/**
 * A small key-value view of one IndexedDB database, shared by every tab of the origin. Values are stored by
 * structured clone, which keeps a non-extractable `CryptoKey` usable and still non-extractable (WebCrypto 2.3).
 */
export interface ClientStorage {
  get<T>(name: string): Promise<T | undefined>;
  put(name: string, value: unknown): Promise<void>;
  /** Stores `value` unless the name holds one already, in one transaction; returns what is stored afterwards. */
  putIfAbsent<T>(name: string, value: T): Promise<T>;
  delete(name: string): Promise<void>;
  close(): void;
}

/** Opens (creating on first use) the database `name`. */
export async function openStorage(name: string): Promise<ClientStorage> {
  if (typeof indexedDB === 'undefined') {
    throw new TesseraClientError('unsupported', 'tessera client: IndexedDB is not available');
  }
  const db = await done<IDBDatabase>(
    (() => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
      };
      return request;
    })(),
  );
  // Another tab upgrading or deleting the database must not wait on this connection.
  db.onversionchange = () => db.close();
  const run = <T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const transaction = db.transaction(STORE, mode);
    const complete = committed(transaction);
    const result = done(work(transaction.objectStore(STORE)));
    // A write counts once it is committed, so another tab reading after our broadcast sees it.
    return Promise.all([result, complete]).then(([value]) => value);
  };
  return {
    get: <T>(key: string) => run('readonly', (store) => store.get(key) as IDBRequest<T | undefined>),
    put: async (key, value) => {
      await run('readwrite', (store) => store.put(value, key));
    },
    putIfAbsent: async <T>(key: string, value: T): Promise<T> => {
      const transaction = db.transaction(STORE, 'readwrite');
      const complete = committed(transaction);
      const store = transaction.objectStore(STORE);
      // Read and write in one readwrite transaction: IndexedDB runs overlapping ones one after the other, so two
      // tabs creating the key at once both end up with the first one stored.
      const existing = await done(store.get(key) as IDBRequest<T | undefined>);
      if (existing === undefined) store.put(value, key);
      await complete;
      return existing ?? value;
    },
    delete: async (key) => {
      await run('readwrite', (store) => store.delete(key));
    },
    close: () => db.close(),
  };
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}
