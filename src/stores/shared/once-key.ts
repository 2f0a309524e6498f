/** Printable ASCII, 1..200 characters: what `OneTimeKeys.useOnce` accepts (callers pass a hash). */
const ONCE_KEY = /^[\x21-\x7e]{1,200}$/;

/** Checks the arguments of `useOnce` the same way in every store; throws `TypeError` on misuse. */
export function checkOnceKey(key: unknown, expiresAt: unknown, now: unknown): void {
  if (typeof key !== 'string' || !ONCE_KEY.test(key)) {
    throw new TypeError('tessera: a one-time key is 1..200 printable ASCII characters');
  }
  if (!Number.isSafeInteger(expiresAt) || !Number.isSafeInteger(now)) {
    throw new TypeError('tessera: useOnce needs integer expiresAt and now (ms)');
  }
}
