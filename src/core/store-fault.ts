import { isTesseraError, StoreUnavailableError } from './errors.js';

/**
 * Runs one store call and turns any fault that is not already a Tessera error into `StoreUnavailableError`
 * (503 with `Retry-After`: fail closed). The one wrapper every engine uses: manager, sealed sessions, refresh
 * and access tokens.
 */
export async function callStore<T>(kind: string, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isTesseraError(error)) throw error;
    throw new StoreUnavailableError(`${kind} store failed during ${operation}`, { cause: error });
  }
}
