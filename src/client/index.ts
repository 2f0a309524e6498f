/**
 * The browser client (`@tessera-sessions/tessera/client`): DPoP (RFC 9449) with a non-extractable P-256 key in
 * IndexedDB, token refresh coordinated across tabs, `use_dpop_nonce` retries. No dependencies and no Node APIs:
 * WebCrypto, IndexedDB, Web Locks, BroadcastChannel and fetch only. See docs/client.md.
 */
export { createTesseraClient, type TesseraClient } from './client.js';
export { isTesseraClientError, TesseraClientError, type TesseraClientErrorCode } from './errors.js';
export type { TesseraClientEvent, TesseraClientListener } from './events.js';
export type { TesseraClientOptions } from './options.js';
export type { TokenResponse } from './tokens.js';
