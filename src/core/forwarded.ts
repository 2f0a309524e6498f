import { parseIp, sameNetwork } from './ip.js';

/**
 * Which proxies in front of the app are trusted to append to `X-Forwarded-For`:
 * - `false`: none; the client is the socket address;
 * - a number `n` (`true` is 1): the last `n` hops are proxies you run;
 * - a list of addresses or CIDRs (`'10.0.0.0/8'`, `'::1'`): your proxies, wherever they are in the chain.
 * The client is the rightmost address that is not a trusted proxy: the leftmost entries are whatever the
 * client chose to send, so trusting them would let anyone claim any address (and pass IP binding).
 */
export type ProxyTrust = boolean | number | readonly string[];

interface Network {
  readonly address: string;
  readonly v4Bits: number;
  readonly v6Bits: number;
}

const parsedLists = new WeakMap<readonly string[], readonly Network[]>();

function networksOf(list: readonly string[]): readonly Network[] {
  let networks = parsedLists.get(list);
  if (networks === undefined) {
    networks = list.map(parseNetwork);
    parsedLists.set(list, networks);
  }
  return networks;
}

function parseNetwork(entry: string): Network {
  const [address = '', bitsText] = String(entry).trim().split('/');
  const bytes = parseIp(address);
  if (bytes === null)
    throw new TypeError(`tessera: trustProxy entry ${JSON.stringify(entry)} is not an address`);
  const max = bytes.length * 8;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > max) {
    throw new TypeError(`tessera: trustProxy entry ${JSON.stringify(entry)} has a bad prefix length`);
  }
  return { address, v4Bits: bytes.length === 4 ? bits : 32, v6Bits: bytes.length === 16 ? bits : 128 };
}

/**
 * The client address from the `X-Forwarded-For` chain and the socket address, under `trust`. A list entry
 * that is not an address or CIDR is a `TypeError`. In a list walk, an entry that is not an address stops the
 * walk: nothing left of it can be trusted.
 */
export function forwardedClient(
  forwardedFor: string | null,
  socket: string | null,
  trust: ProxyTrust,
): string | null {
  if (trust === false || trust === 0 || forwardedFor === null || forwardedFor === '') return socket;
  const chain = forwardedFor
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (socket !== null) chain.push(socket);
  if (typeof trust === 'boolean' || typeof trust === 'number') {
    const hops = trust === true ? 1 : Math.max(0, Math.floor(trust));
    const candidate = chain[Math.max(0, chain.length - 1 - hops)];
    return candidate !== undefined && parseIp(candidate) !== null ? candidate : socket;
  }
  const networks = networksOf(trust);
  for (let i = chain.length - 1; i >= 0; i -= 1) {
    const address = chain[i] as string;
    if (parseIp(address) === null) return chain[i + 1] ?? socket;
    if (!networks.some((net) => sameNetwork(address, net.address, net.v4Bits, net.v6Bits))) return address;
  }
  return chain[0] ?? socket;
}

/** Checks a list of addresses or CIDRs once (a bad entry is a `TypeError`), so later lookups cannot throw. */
export function checkNetworkList(list: readonly string[]): void {
  networksOf(list);
}

/** Whether `address` lies in one of the networks of `list` (addresses or CIDRs; IPv4-mapped IPv6 counts as IPv4). */
export function inNetworkList(address: string, list: readonly string[]): boolean {
  return networksOf(list).some((net) => sameNetwork(address, net.address, net.v4Bits, net.v6Bits));
}
