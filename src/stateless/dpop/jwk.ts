// The DPoP names for the shared public-key helpers (DBSC uses the same ones, from the core).
export {
  DPOP_ALGORITHMS,
  type DpopAlgorithm,
  type DpopPublicJwk,
  jwkThumbprint,
  publicJwkFor,
} from '../../core/public-jwk.js';
