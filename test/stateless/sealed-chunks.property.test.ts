import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isTesseraError } from '../../src/core/errors.js';
import { SealedSessions } from '../../src/stateless/sealed/index.js';
import { applySetCookies, cookieHeader, facts, noise, SECRET_A } from './helpers.js';

const sealed = new SealedSessions({
  keys: [{ id: 'k1', secret: SECRET_A }],
  cookie: { name: 'sid', development: true },
  compress: false,
  maxChunks: 5,
});

async function chunked(size: number, seed: string): Promise<string[]> {
  const issued = await sealed.login(facts(null), { subject: 'alice', data: { blob: noise(size, seed) } });
  const jar = applySetCookies(issued.setCookies);
  return issued.setCookies.map(
    (_, index) => jar.get(issued.setCookies.length === 1 ? 'sid' : `sid.${index}`) as string,
  );
}

async function codeFor(pairs: Array<[string, string]>): Promise<string> {
  const auth = await sealed.authenticate(facts(pairs.map(([name, value]) => `${name}=${value}`).join('; ')));
  return auth.result.ok ? 'ok' : auth.result.code;
}

const asChunks = (values: string[]): Array<[string, string]> =>
  values.map((value, index) => [`sid.${index}`, value]);

describe('sealed cookie chunking (property tests)', () => {
  it('any payload size round-trips, every cookie within 4096 bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 14000 }),
        fc.string({ minLength: 1, maxLength: 8 }),
        async (size, seed) => {
          const blob = noise(size, seed);
          let issued: Awaited<ReturnType<typeof sealed.login>>;
          try {
            issued = await sealed.login(facts(null), { subject: 'alice', data: { blob } });
          } catch (error) {
            // Too large for the Cookie header a server reads back: refused before any header is written.
            assert.ok(isTesseraError(error) && error.code === 'cookie_too_large', String(error));
            assert.ok(size > 9000, `refused at only ${size} characters`);
            return;
          }
          for (const line of issued.setCookies)
            assert.ok(Buffer.byteLength(line) <= 4096, `${line.length} bytes`);
          const auth = await sealed.authenticate(facts(cookieHeader(applySetCookies(issued.setCookies))));
          assert.ok(auth.result.ok, 'opens');
          assert.equal(auth.result.session.data.blob, blob);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses every permutation of chunks but the original order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 4500, max: 9500 }), fc.integer(), async (size, shuffleSeed) => {
        const values = await chunked(size, `p${size}`);
        assert.ok(values.length >= 2, 'line 55');
        const order = values.map((_, index) => index);
        let state = shuffleSeed >>> 0;
        for (let i = order.length - 1; i > 0; i -= 1) {
          state = (state * 1103515245 + 12345) >>> 0;
          const j = state % (i + 1);
          [order[i], order[j]] = [order[j] as number, order[i] as number];
        }
        const shuffled = order.map((index) => values[index] as string);
        const expected = order.every((index, position) => index === position) ? 'ok' : 'token_invalid';
        assert.equal(await codeFor(asChunks(shuffled)), expected);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses any omission, any extra chunk and chunks mixed from two seals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 4500, max: 9500 }),
        fc.nat(),
        fc.constantFrom('omit', 'extra', 'mix', 'single-name', 'empty'),
        async (size, pick, attack) => {
          const values = await chunked(size, `o${size}`);
          const index = pick % values.length;
          let pairs: Array<[string, string]>;
          if (attack === 'omit') {
            pairs = asChunks(values).filter((_, position) => position !== index);
            // Renumber so the set looks complete: the authenticated count or the ciphertext must still catch it.
            if (pick % 2 === 0) pairs = asChunks(pairs.map(([, value]) => value));
          } else if (attack === 'extra') {
            pairs = [...asChunks(values), [`sid.${values.length}`, values[index] as string]];
          } else if (attack === 'mix') {
            const other = await chunked(size, `other${size}`);
            pairs = asChunks(
              values.map((value, position) => (position === index ? (other[position] ?? value) : value)),
            );
          } else if (attack === 'single-name') {
            pairs = [['sid', values.join('')]];
          } else {
            pairs = asChunks(values.map((value, position) => (position === index ? '' : value)));
          }
          assert.equal(await codeFor(pairs), 'token_invalid', attack);
        },
      ),
      { numRuns: 80 },
    );
  });
});
