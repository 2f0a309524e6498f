import { isIPv4, isIPv6 } from 'node:net';

/** Parses an IPv4 or IPv6 address into bytes (IPv4-mapped IPv6 becomes IPv4). Returns null if invalid. */
export function parseIp(text: string): Uint8Array | null {
  let address = text.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1] as string;
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  if (!isIPv6(address)) return null;
  return parseIpv6(address);
}

function parseIpv6(address: string): Uint8Array | null {
  let text = address;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail = (v4[1] as string).split('.').map(Number);
    text = `${text.slice(0, v4.index)}0:0`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? missing !== 0 : missing < 0) return null;
  const groups = [...left, ...new Array<string>(rest === undefined ? 0 : missing).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = Number.parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  if (tail.length === 4) bytes.set(tail, 12);
  return bytes;
}

/** Whether two addresses share their first `v4Bits` (IPv4) or `v6Bits` (IPv6) bits. */
export function sameNetwork(a: string, b: string, v4Bits: number, v6Bits: number): boolean {
  const left = parseIp(a);
  const right = parseIp(b);
  if (left === null || right === null || left.length !== right.length) return false;
  const bits = left.length === 4 ? v4Bits : v6Bits;
  const fullBytes = Math.floor(bits / 8);
  for (let i = 0; i < fullBytes; i++) if (left[i] !== right[i]) return false;
  const rest = bits % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((left[fullBytes] as number) & mask) === ((right[fullBytes] as number) & mask);
}
