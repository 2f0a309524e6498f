/**
 * Stateless modes, in one run so the figures share a machine state:
 * - sealed cookies: Tessera `SealedSessions.authenticate` (cookie parsing, AES-256-GCM open, payload checks) vs
 *   iron-session 8 `unsealData` vs a raw AES-256-GCM decrypt of a ciphertext of the same size (the floor);
 * - HTTP: a node:http server validating each request's cookie, Tessera sealed vs iron-session (autocannon);
 * - access tokens: Tessera EdDSA verification vs raw node:crypto Ed25519 verify; Tessera HS256 vs fast-jwt
 *   configured with the same checks; jose for the library choice (docs/stateless.md).
 * Targets (issue 4): sealed >= 5x iron-session and within 1.3x of the floor; EdDSA within 1.5x of raw Ed25519;
 * HS256 at least as fast as fast-jwt. Knobs: BENCH_WARMUP_MS, BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_HTTP_SECONDS,
 * BENCH_HTTP_CONNECTIONS.
 *
 * This file is also the bench servers: `--server=sealed` or `--server=iron` (forked by the HTTP part).
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { createVerifier } from 'fast-jwt';
import { getIronSession, sealData, unsealData } from 'iron-session';
import { jwtVerify } from 'jose';
import { appendCookies, authenticateNode, nodeRequestFacts } from '../src/adapters/node/index.js';
import { AccessTokens, generateJwtKey, hmacKey, JwtKeyRing } from '../src/stateless/jwt/index.js';
import { SealedSessions } from '../src/stateless/sealed/index.js';
import type { RequestFacts } from '../src/transport/request.js';
import { type BenchCase, envNumber, type Measurement, measureAll, pairedRatio } from './lib/harness.js';
import { load, login, sanityCheck, startServer } from './lib/http-target.js';
import { writeResults } from './lib/results.js';
import { formatMicros, formatRate, formatRatio, printTable } from './lib/table.js';
import { listen, OK_BODY, SUBJECT } from './servers/listen.js';
import { keyObject } from '../test/support/key-objects.js';

const SEAL_SECRET = 'bench-seal-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const IRON_PASSWORD = 'bench-iron-password-0123456789-abcdefghijklmnopqrstuvwxyz';
const COOKIE = 'tessera-session';
const DATA = { role: 'member', theme: 'dark' };
const VARIANTS = 256;

function sealedSessions(cacheSize = 0): SealedSessions {
  return new SealedSessions({
    keys: [{ id: 'k1', secret: SEAL_SECRET }],
    cookie: { name: COOKIE, development: true },
    cacheSize,
  });
}

function requestWith(cookie: string): RequestFacts {
  return { method: 'GET', url: '/', header: (name) => (name === 'cookie' ? cookie : null), ip: '127.0.0.1' };
}

// ---------------------------------------------------------------------------------------------- servers
function serveSealed(cacheSize: number): void {
  const sealed = sealedSessions(cacheSize);
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'POST' && request.url === '/login') {
      const issued = await sealed.login(nodeRequestFacts(request), { subject: SUBJECT, data: DATA });
      appendCookies(response, issued.setCookies);
      response.writeHead(204).end();
      return;
    }
    const session = await authenticateNode(sealed, request, response);
    if (session === null) return;
    response.writeHead(200, { 'content-type': 'application/json' }).end(OK_BODY);
  });
  listen(server);
}

function serveIron(): void {
  const options = { password: IRON_PASSWORD, cookieName: 'iron', cookieOptions: { secure: false } };
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const session = await getIronSession<{ subject?: string; role?: string; theme?: string }>(
      request,
      response,
      options,
    );
    if (request.method === 'POST' && request.url === '/login') {
      Object.assign(session, { subject: SUBJECT, ...DATA });
      await session.save();
      response.writeHead(204).end();
      return;
    }
    if (session.subject === undefined) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"token_missing"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(OK_BODY);
  });
  listen(server);
}

// ------------------------------------------------------------------------------------------------ micro
async function sealedCases(): Promise<BenchCase[]> {
  const sealed = sealedSessions();
  const cached = sealedSessions(1000);
  const requests: RequestFacts[] = [];
  for (let i = 0; i < VARIANTS; i += 1) {
    const issued = await sealed.login(requestWith(''), { subject: `user-${i}`, data: DATA });
    requests.push(requestWith((issued.setCookies[0] as string).split(';')[0] as string));
  }
  const irons: string[] = [];
  for (let i = 0; i < VARIANTS; i += 1) {
    irons.push(await sealData({ subject: `user-${i}`, ...DATA }, { password: IRON_PASSWORD }));
  }
  // The floor: the same AES-256-GCM open of a ciphertext as long as Tessera's, with nothing around it.
  const sample = ((requests[0] as RequestFacts).header('cookie') as string).split('=')[1] as string;
  const plainLength = Buffer.from(sample, 'base64url').byteLength - (4 + 2) - 12 - 16;
  const key = createSecretKey(randomBytes(32));
  const raw = Array.from({ length: VARIANTS }, () => {
    const nonce = randomBytes(12);
    const aad = randomBytes(6);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(aad);
    const body = Buffer.concat([cipher.update(randomBytes(plainLength)), cipher.final()]);
    return { nonce, aad, body, tag: cipher.getAuthTag() };
  });
  return [
    {
      name: 'tessera sealed: authenticate',
      setup: () => async (i) => {
        const auth = await sealed.authenticate(requests[i % VARIANTS] as RequestFacts);
        if (!auth.result.ok) throw new Error('sealed cookie refused');
      },
    },
    {
      // Same keys and cookies: the cache (opt-in) holds the 256 opened seals after the warm-up.
      name: 'tessera sealed: authenticate, cacheSize 1000',
      setup: () => async (i) => {
        const auth = await cached.authenticate(requests[i % VARIANTS] as RequestFacts);
        if (!auth.result.ok) throw new Error('sealed cookie refused');
      },
    },
    {
      name: 'iron-session 8: unsealData',
      setup: () => async (i) => {
        const data = await unsealData<{ subject?: string }>(irons[i % VARIANTS] as string, {
          password: IRON_PASSWORD,
        });
        if (data.subject === undefined) throw new Error('iron seal refused');
      },
    },
    {
      name: 'raw AES-256-GCM decrypt (floor)',
      setup: () => (i) => {
        const item = raw[i % VARIANTS] as (typeof raw)[number];
        const decipher = createDecipheriv('aes-256-gcm', key, item.nonce);
        decipher.setAAD(item.aad);
        decipher.setAuthTag(item.tag);
        decipher.update(item.body);
        decipher.final();
      },
    },
  ];
}

async function tokenCases(): Promise<BenchCase[]> {
  const edKey = generateJwtKey('EdDSA', 0, 'ed');
  const ed = new AccessTokens({
    keys: new JwtKeyRing([edKey]),
    issuer: 'https://auth.bench',
    audience: 'api',
  });
  const hsKey = hmacKey('hs', randomBytes(32));
  const hs = new AccessTokens({
    keys: new JwtKeyRing([hsKey]),
    issuer: 'https://auth.bench',
    audience: 'api',
  });
  const sid = (i: number): string => `bench${String(i).padStart(21, '0')}`;
  const edTokens = Array.from(
    { length: VARIANTS },
    (_, i) => ed.issue({ subject: `user-${i}`, sessionId: sid(i) }).token,
  );
  const hsTokens = Array.from(
    { length: VARIANTS },
    (_, i) => hs.issue({ subject: `user-${i}`, sessionId: sid(i) }).token,
  );
  const rawEd = edTokens.map((token) => {
    const dot = token.lastIndexOf('.');
    return {
      input: Buffer.from(token.slice(0, dot)),
      signature: Buffer.from(token.slice(dot + 1), 'base64url'),
    };
  });
  // fast-jwt with the checks Tessera makes: one algorithm, issuer, audience, required claims, typ, times.
  const fastHs = createVerifier({
    key: keyObject(hsKey.publicKey).export(),
    algorithms: ['HS256'],
    allowedIss: 'https://auth.bench',
    allowedAud: 'api',
    requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp', 'aud', 'iss'],
    checkTyp: 'at+jwt',
  });
  const fastEd = createVerifier({
    key: keyObject(edKey.publicKey).export({ type: 'spki', format: 'pem' }) as string,
    algorithms: ['EdDSA'],
    allowedIss: 'https://auth.bench',
    allowedAud: 'api',
    requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp', 'aud', 'iss'],
    checkTyp: 'at+jwt',
  });
  const joseOptions = {
    algorithms: ['EdDSA'],
    issuer: 'https://auth.bench',
    audience: 'api',
    typ: 'at+jwt',
    requiredClaims: ['sub', 'sid', 'jti'],
  };
  const check = (ok: boolean): void => {
    if (!ok) throw new Error('token refused');
  };
  return [
    { name: 'tessera EdDSA verify', setup: () => (i) => check(ed.verifySync(edTokens[i % VARIANTS]).ok) },
    {
      name: 'raw node:crypto Ed25519 verify',
      setup: () => (i) => {
        const item = rawEd[i % VARIANTS] as (typeof rawEd)[number];
        check(verify(null, item.input, keyObject(edKey.publicKey), item.signature));
      },
    },
    {
      name: 'fast-jwt EdDSA verify',
      setup: () => (i) => check(fastEd(edTokens[i % VARIANTS] as string) !== null),
    },
    {
      name: 'jose EdDSA verify',
      setup: () => async (i) =>
        check(
          (await jwtVerify(edTokens[i % VARIANTS] as string, keyObject(edKey.publicKey), joseOptions)) !==
            null,
        ),
    },
    { name: 'tessera HS256 verify', setup: () => (i) => check(hs.verifySync(hsTokens[i % VARIANTS]).ok) },
    {
      name: 'fast-jwt HS256 verify',
      setup: () => (i) => check(fastHs(hsTokens[i % VARIANTS] as string) !== null),
    },
  ];
}

// ------------------------------------------------------------------------------------------------- HTTP
async function httpRun(): Promise<Record<string, { requestsPerSec: number; p50us: number; p99us: number }>> {
  const seconds = envNumber('BENCH_HTTP_SECONDS', 5);
  const connections = envNumber('BENCH_HTTP_CONNECTIONS', 10);
  const self = new URL(import.meta.url);
  const out: Record<string, { requestsPerSec: number; p50us: number; p99us: number }> = {};
  for (const name of ['sealed', 'sealed-cached', 'iron'] as const) {
    const server = await startServer(`stateless-${name}`, self, [`--server=${name}`]);
    try {
      const cookie = await login(server.port);
      const sanity = await sanityCheck(server.port, cookie);
      if (sanity.withCookie !== 200 || sanity.withoutCookie !== 401) {
        throw new Error(`${name} server sanity check failed: ${JSON.stringify(sanity)}`);
      }
      await load(server.port, cookie, { connections, seconds: 1 });
      const run = await load(server.port, cookie, { connections, seconds });
      if (run.result.non2xx > 0 || run.result.errors > 0)
        throw new Error(`${name}: non-2xx responses under load`);
      out[name] = {
        requestsPerSec: run.result.requests.average,
        p50us: run.latencyUs.p50,
        p99us: run.latencyUs.p99,
      };
    } finally {
      await server.stop();
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------- main
function rows(measurements: readonly Measurement[]): string[][] {
  return measurements.map((m) => [
    m.name,
    formatRate(m.opsPerSec),
    formatMicros(m.usPerOp),
    `${(m.spread * 100).toFixed(1)}%`,
  ]);
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL';
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model}), load ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
  const sealedMeasures = await measureAll(await sealedCases());
  const [tessera, tesseraCached, iron, floor] = sealedMeasures as [
    Measurement,
    Measurement,
    Measurement,
    Measurement,
  ];
  printTable(['sealed cookie validation', 'ops/s', 'µs/op', 'spread'], rows(sealedMeasures));
  const tokenMeasures = await measureAll(await tokenCases());
  const [edTessera, edRaw, edFast, edJose, hsTessera, hsFast] = tokenMeasures as Measurement[] as [
    Measurement,
    Measurement,
    Measurement,
    Measurement,
    Measurement,
    Measurement,
  ];
  console.log('');
  printTable(['access-token verification', 'ops/s', 'µs/op', 'spread'], rows(tokenMeasures));
  const http = await httpRun();
  console.log('');
  printTable(
    ['HTTP server validating its cookie', 'req/s', 'p50 µs', 'p99 µs'],
    Object.entries(http).map(([name, figures]) => [
      name === 'iron' ? 'iron-session 8 (node:http)' : `tessera ${name} (node:http adapter)`,
      formatRate(figures.requestsPerSec),
      formatMicros(figures.p50us),
      formatMicros(figures.p99us),
    ]),
  );
  const ratios = {
    sealedVsIron: pairedRatio(tessera, iron),
    floorOverhead: pairedRatio(floor, tessera),
    cachedVsFloor: pairedRatio(floor, tesseraCached),
    edVsRaw: pairedRatio(edRaw, edTessera),
    edVsJose: pairedRatio(edTessera, edJose),
    edVsFastJwt: pairedRatio(edTessera, edFast),
    hsVsFastJwt: pairedRatio(hsTessera, hsFast),
    httpSealedVsIron: (http.sealed?.requestsPerSec ?? Number.NaN) / (http.iron?.requestsPerSec ?? Number.NaN),
    httpCachedVsIron:
      (http['sealed-cached']?.requestsPerSec ?? Number.NaN) / (http.iron?.requestsPerSec ?? Number.NaN),
  };
  console.log('');
  printTable(
    ['target', 'measured', 'verdict'],
    [
      [
        'sealed validation >= 5x iron-session',
        formatRatio(ratios.sealedVsIron),
        verdict(ratios.sealedVsIron >= 5),
      ],
      [
        'sealed within 1.3x of raw AES-GCM floor',
        formatRatio(ratios.floorOverhead),
        verdict(ratios.floorOverhead <= 1.3),
      ],
      [
        'EdDSA verify within 1.5x of raw Ed25519',
        formatRatio(ratios.edVsRaw),
        verdict(ratios.edVsRaw <= 1.5),
      ],
      ['HS256 verify >= fast-jwt', formatRatio(ratios.hsVsFastJwt), verdict(ratios.hsVsFastJwt >= 1)],
      ['(info) sealed with cacheSize vs floor (time ratio)', formatRatio(ratios.cachedVsFloor), '-'],
      ['(info) EdDSA: tessera vs jose', formatRatio(ratios.edVsJose), '-'],
      ['(info) EdDSA: tessera vs fast-jwt', formatRatio(ratios.edVsFastJwt), '-'],
      ['(info) HTTP req/s: sealed vs iron-session', formatRatio(ratios.httpSealedVsIron), '-'],
      ['(info) HTTP req/s: sealed-cached vs iron-session', formatRatio(ratios.httpCachedVsIron), '-'],
    ],
  );
  const file = writeResults('stateless', {
    micro: [...sealedMeasures, ...tokenMeasures].map((m) => ({
      name: m.name,
      opsPerSec: m.opsPerSec,
      usPerOp: m.usPerOp,
      spread: m.spread,
    })),
    http,
    ratios,
  });
  console.log(`\nresults: ${file}`);
}

const serverArg = process.argv.find((arg) => arg.startsWith('--server='));
if (serverArg === '--server=sealed') serveSealed(0);
else if (serverArg === '--server=sealed-cached') serveSealed(1000);
else if (serverArg === '--server=iron') serveIron();
else await main();
