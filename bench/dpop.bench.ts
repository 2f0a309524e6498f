/**
 * The cost of DPoP (RFC 9449) on the request path, in one run so the figures share a machine state:
 * - a bearer access token through `AccessTokenAuthenticator.authenticate` (EdDSA token);
 * - the same with a DPoP-bound token and a fresh ES256 proof per request (header and key checks, the proof's
 *   signature, htm/htu/iat/ath, and the `jti` recorded in a memory store);
 * - one raw node:crypto ES256 verification of a proof (the reference: "no more than one extra signature").
 * Target (issue 12): (DPoP − bearer) per request ≤ 1.5 × one raw ES256 verification. Knobs: BENCH_WARMUP_MS,
 * BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_DPOP_PROOFS (proofs signed up front; each is used once).
 */
import { createHash, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { DpopProofs } from '../src/stateless/dpop/index.js';
import {
  AccessTokenAuthenticator,
  AccessTokens,
  generateJwtKey,
  JwtKeyRing,
} from '../src/stateless/jwt/index.js';
import { MemoryStore } from '../src/stores/memory/memory-store.js';
import type { RequestFacts } from '../src/transport/request.js';
import { type BenchCase, envNumber, type Measurement, measureAll } from './lib/harness.js';
import { writeResults } from './lib/results.js';
import { formatMicros, formatRate, formatRatio, printTable } from './lib/table.js';

const URL_PATH = '/api/orders';
const ORIGIN = 'https://api.bench';
const PROOFS = envNumber('BENCH_DPOP_PROOFS', 120_000);

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

function facts(authorization: string, proof: string | null): RequestFacts {
  return {
    method: 'GET',
    url: URL_PATH,
    protocol: 'https:',
    ip: '127.0.0.1',
    header: (name) =>
      name === 'authorization'
        ? authorization
        : name === 'dpop'
          ? proof
          : name === 'host'
            ? 'api.bench'
            : null,
  };
}

async function cases(): Promise<BenchCase[]> {
  const tokens = new AccessTokens({
    keys: new JwtKeyRing([generateJwtKey('EdDSA', 0, 'ed')]),
    issuer: 'https://auth.bench',
    audience: 'api',
  });
  const device = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = device.publicKey.export({ format: 'jwk' }) as {
    kty: string;
    crv: string;
    x: string;
    y: string;
  };
  const jkt = createHash('sha256')
    .update(`{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`)
    .digest('base64url');
  const sid = 'bench000000000000000000001';
  const bearer = tokens.issue({ subject: 'user', sessionId: sid }).token;
  const bound = tokens.issue({ subject: 'user', sessionId: sid, jkt }).token;
  const ath = createHash('sha256').update(bound).digest('base64url');
  const header = b64(
    JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } }),
  );
  const iat = Math.floor(Date.now() / 1000);
  const proofs: string[] = [];
  for (let i = 0; i < PROOFS; i += 1) {
    const payload = b64(JSON.stringify({ jti: randomUUID(), htm: 'GET', htu: ORIGIN + URL_PATH, iat, ath }));
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
      key: device.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    proofs.push(`${header}.${payload}.${b64(signature)}`);
  }
  const plain = new AccessTokenAuthenticator(tokens);
  const dpop = new AccessTokenAuthenticator(tokens, {
    dpop: { proofs: new DpopProofs({ store: new MemoryStore({ maxOnceKeys: PROOFS + 10 }), maxAge: 600 }) },
  });
  const check = (ok: boolean): void => {
    if (!ok) throw new Error('refused');
  };
  const bearerFacts = facts(`Bearer ${bearer}`, null);
  let next = 0;
  const raw = proofs[0] as string;
  const dot = raw.lastIndexOf('.');
  const rawInput = Buffer.from(raw.slice(0, dot));
  const rawSignature = Buffer.from(raw.slice(dot + 1), 'base64url');
  return [
    {
      name: 'bearer access token (authenticate)',
      setup: () => async () => check((await plain.authenticate(bearerFacts)).result.ok),
    },
    {
      name: 'DPoP-bound token + proof (authenticate)',
      setup: () => async () => {
        const proof = proofs[next++];
        if (proof === undefined) throw new Error('out of proofs: raise BENCH_DPOP_PROOFS');
        check((await dpop.authenticate(facts(`DPoP ${bound}`, proof))).result.ok);
      },
    },
    {
      name: 'raw node:crypto ES256 verify (one proof)',
      setup: () => () =>
        check(verify('sha256', rawInput, { key: device.publicKey, dsaEncoding: 'ieee-p1363' }, rawSignature)),
    },
  ];
}

console.log(
  `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model}), load ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
const measured = await measureAll(await cases());
const [plain, dpop, es256] = measured as [Measurement, Measurement, Measurement];
printTable(
  ['DPoP verification', 'ops/s', 'µs/op', 'spread'],
  measured.map((m) => [
    m.name,
    formatRate(m.opsPerSec),
    formatMicros(m.usPerOp),
    `${(m.spread * 100).toFixed(1)}%`,
  ]),
);
const addedUs = dpop.usPerOp - plain.usPerOp;
const inSignatures = addedUs / es256.usPerOp;
console.log('');
printTable(
  ['target', 'measured', 'verdict'],
  [
    [
      'DPoP adds <= 1.5x one ES256 verification',
      `${formatMicros(addedUs)} = ${formatRatio(inSignatures)} of one`,
      inSignatures <= 1.5 ? 'met' : 'MISSED',
    ],
    ['(info) DPoP request vs bearer request (time ratio)', formatRatio(dpop.usPerOp / plain.usPerOp), '-'],
  ],
);
const file = writeResults('dpop', {
  micro: measured.map((m) => ({
    name: m.name,
    opsPerSec: m.opsPerSec,
    usPerOp: m.usPerOp,
    spread: m.spread,
  })),
  addedUs,
  inSignatures,
});
console.log(`\nresults: ${file}`);
