export { aesGcmDecrypt, aesGcmEncrypt } from './aead.js';
export { type SealKey, SealKeyRing } from './keys.js';
export type { SealedSessionsOptions } from './options.js';
export {
  type SealedChange,
  type SealedIssue,
  type SealedLogin,
  SealedSessions,
} from './sealed-sessions.js';
