// The web crypto and JOSE providers (runtime/crypto-web.js, runtime/jose-web.js: @noble/hashes, @noble/ciphers,
// @noble/curves, fflate), which workerd, edge and browser bundles get, under the same suites as Node's: these
// files run unchanged on this Node with `--conditions=worker`, so `#crypto` and `#jose` resolve to the web
// providers (fixtures/web-providers.test.ts checks that they did). JWT attacks, rotation and audiences, refresh
// tokens with reuse detection, DPoP proofs and tokens, DBSC, sealed cookies (Wycheproof, chunks, policy, HTTP),
// CSRF and session tokens. Each file's every declared case must run and pass (test/runtimes/runtime-run.ts).
import { registerRuntimeRuns } from './runtime-run.js';

const FILES = [
  'test/runtimes/fixtures/web-providers.test.ts',
  'test/stateless/jwt-attacks.test.ts',
  'test/stateless/jwt-rotation.test.ts',
  'test/stateless/jwt-audience.test.ts',
  'test/stateless/jwt-module-scope.test.ts',
  'test/stateless/access-http.test.ts',
  'test/stateless/refresh.test.ts',
  'test/stateless/dpop.test.ts',
  'test/stateless/dpop-tokens.test.ts',
  'test/transport/dbsc.test.ts',
  'test/stateless/sealed.test.ts',
  'test/stateless/aead-wycheproof.test.ts',
  'test/stateless/sealed-chunks.property.test.ts',
  'test/stateless/sealed-policy.test.ts',
  'test/stateless/sealed-http.test.ts',
  'test/transport/cookie-modes.test.ts',
  'test/transport/csrf/token.test.ts',
  'test/core/token.test.ts',
  'test/fuzz/parsers.property.test.ts',
];

registerRuntimeRuns(
  'web',
  FILES.map((file) => ({ name: file.split('/').pop()?.replace('.test.ts', '') ?? file, file })),
);
