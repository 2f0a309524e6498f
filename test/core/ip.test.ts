import assert from 'node:assert/strict';
import { isIPv4, isIPv6 } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isIpv4Text, isIpv6Text, parseIp, sameNetwork } from '../../src/core/ip.js';

/** Text that looks like addresses, near misses included: the grammar's edges are where the two could differ. */
const addressLike = fc.oneof(
  fc.ipV4(),
  fc.ipV4Extended(),
  fc.ipV6(),
  fc.stringMatching(/^[0-9a-fA-F:.%]{0,45}$/),
  fc.tuple(fc.ipV6(), fc.stringMatching(/^%[0-9a-z.:-]{0,6}$/)).map(([a, zone]) => a + zone),
  fc.tuple(fc.ipV6(), fc.ipV4()).map(([a, b]) => `${a.replace(/:[^:]*$/, '')}:${b}`),
  fc.stringMatching(/^(?:0?\d{1,3}\.){3}0?\d{1,3}$/),
);

describe('IP addresses (no node:net)', () => {
  it('accepts exactly what node:net accepts, for address-like text and for any text', () => {
    fc.assert(
      fc.property(addressLike, (text) => {
        assert.equal(isIpv4Text(text), isIPv4(text), `v4 ${JSON.stringify(text)}`);
        assert.equal(isIpv6Text(text), isIPv6(text), `v6 ${JSON.stringify(text)}`);
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        assert.equal(isIpv4Text(text), isIPv4(text));
        assert.equal(isIpv6Text(text), isIPv6(text));
      }),
    );
  });

  it('the edges: leading zeros, 256, empty groups, a second ::, an embedded quad, a zone', () => {
    for (const [text, v4, v6] of [
      ['192.0.2.1', true, false],
      ['01.2.3.4', false, false],
      ['256.1.1.1', false, false],
      ['1.2.3', false, false],
      ['::', false, true],
      ['::1', false, true],
      ['1::2::3', false, false],
      ['::ffff:192.0.2.1', false, true],
      ['fe80::1%eth0', false, true],
      ['1:2:3:4:5:6:7:8:9', false, false],
      ['12345::', false, false],
    ] as const) {
      assert.equal(isIpv4Text(text), v4, text);
      assert.equal(isIpv6Text(text), v6, text);
    }
  });

  it('parses to bytes: brackets and zones dropped, IPv4-mapped IPv6 becomes IPv4', () => {
    assert.deepEqual(parseIp('192.0.2.7'), Uint8Array.from([192, 0, 2, 7]));
    assert.deepEqual(parseIp('::ffff:192.0.2.7'), Uint8Array.from([192, 0, 2, 7]));
    assert.deepEqual(parseIp('[2001:db8::1]')?.slice(0, 4), Uint8Array.from([0x20, 0x01, 0x0d, 0xb8]));
    assert.equal(parseIp('fe80::1%eth0')?.[15], 1);
    assert.equal(parseIp('not an address'), null);
    assert.equal(parseIp('1.2.3.4\u0000'), null);
  });

  it('compares networks by prefix', () => {
    assert.equal(sameNetwork('192.0.2.1', '192.0.2.200', 24, 64), true);
    assert.equal(sameNetwork('192.0.2.1', '192.0.3.1', 24, 64), false);
    assert.equal(sameNetwork('2001:db8::1', '2001:db8::ffff', 24, 64), true);
    assert.equal(sameNetwork('2001:db8:0:1::1', '2001:db8:0:2::1', 24, 64), false);
    assert.equal(sameNetwork('192.0.2.1', '2001:db8::1', 24, 64), false, 'families never match');
    assert.equal(sameNetwork('10.0.0.1', '10.0.0.129', 25, 64), false, 'a partial byte is masked');
  });
});
