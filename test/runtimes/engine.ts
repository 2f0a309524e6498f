import type { RuntimeRun } from './runtime-run.js';

/**
 * The core and stateless test files that run unchanged under Bun and Deno: tokens, hashing and the crypto
 * providers, options, the CSRF token, sealed cookies (with the Wycheproof AES-GCM vectors), access tokens,
 * refresh tokens and DPoP proofs. The HTTP-level files (sealed-http, access-http, the service files) start Node
 * servers and stay on Node.
 */
export const ENGINE_RUNS: readonly RuntimeRun[] = [
  { name: 'tokens', file: 'test/core/token.test.ts' },
  { name: 'hashing', file: 'test/core/hash.test.ts' },
  { name: 'the crypto providers', file: 'test/core/crypto-provider.test.ts' },
  { name: 'the JOSE providers', file: 'test/stateless/jose-provider.test.ts' },
  { name: 'IP addresses', file: 'test/core/ip.test.ts' },
  { name: 'options', file: 'test/core/options.test.ts' },
  { name: 'CSRF tokens', file: 'test/transport/csrf/token.test.ts' },
  { name: 'sealed cookies', file: 'test/stateless/sealed.test.ts' },
  { name: 'sealed cookies: Wycheproof AES-GCM', file: 'test/stateless/aead-wycheproof.test.ts' },
  { name: 'JWT access tokens: attacks', file: 'test/stateless/jwt-attacks.test.ts' },
  { name: 'JWT access tokens: key rotation', file: 'test/stateless/jwt-rotation.test.ts' },
  { name: 'refresh tokens', file: 'test/stateless/refresh.test.ts' },
  { name: 'DPoP proofs', file: 'test/stateless/dpop.test.ts' },
];
