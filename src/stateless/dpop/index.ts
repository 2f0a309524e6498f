export { normalizeHtu } from './htu.js';
export {
  DPOP_ALGORITHMS,
  type DpopAlgorithm,
  type DpopPublicJwk,
  jwkThumbprint,
  publicJwkFor,
} from './jwk.js';
export { DpopNonces, type DpopNoncesOptions, type NonceState } from './nonces.js';
export {
  type DpopInvalidReason,
  DpopProofs,
  type DpopProofsOptions,
  type DpopResult,
  type ProofTarget,
} from './proofs.js';
