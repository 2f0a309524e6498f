// The address grammar of node:net's isIPv4/isIPv6 (dotted quads without leading zeros; the IPv6 text forms of
// RFC 4291 2.2, with an optional zone), written out so this module needs no node: built-in. Property tests in
// test/core/ip.test.ts hold the two to the same answers.
const V4_PART = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const V4 = `(?:${V4_PART}\\.){3}${V4_PART}`;
const G = '(?:[0-9a-fA-F]{1,4})';
const IPV4_TEXT = new RegExp(`^${V4}$`);
const IPV6_TEXT = new RegExp(
  '^(?:' +
    `(?:${G}:){7}(?:${G}|:)|` +
    `(?:${G}:){6}(?:${V4}|:${G}|:)|` +
    `(?:${G}:){5}(?::${V4}|(?::${G}){1,2}|:)|` +
    `(?:${G}:){4}(?:(?::${G}){0,1}:${V4}|(?::${G}){1,3}|:)|` +
    `(?:${G}:){3}(?:(?::${G}){0,2}:${V4}|(?::${G}){1,4}|:)|` +
    `(?:${G}:){2}(?:(?::${G}){0,3}:${V4}|(?::${G}){1,5}|:)|` +
    `(?:${G}:){1}(?:(?::${G}){0,4}:${V4}|(?::${G}){1,6}|:)|` +
    `(?::(?:(?::${G}){0,5}:${V4}|(?::${G}){1,7}|:))` +
    ')(?:%[0-9a-zA-Z-.:]{1,})?$',
);

/** Whether `text` is an IPv4 address in dotted-quad form (what node:net's isIPv4 accepts). */
export function isIpv4Text(text: string): boolean {
  return IPV4_TEXT.test(text);
}

/** Whether `text` is an IPv6 address, zone allowed (what node:net's isIPv6 accepts). */
export function isIpv6Text(text: string): boolean {
  return IPV6_TEXT.test(text);
}

/** Parses an IPv4 or IPv6 address into bytes (IPv4-mapped IPv6 becomes IPv4). Returns null if invalid. */
export function parseIp(text: string): Uint8Array | null {
  let address = text.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1] as string;
  if (isIpv4Text(address)) return Uint8Array.from(address.split('.').map(Number));
  if (!isIpv6Text(address)) return null;
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
