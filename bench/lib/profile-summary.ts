/**
 * Summarises a V8 .cpuprofile: self time and inclusive time per function, as shares of all samples.
 *   BENCH_PROFILE=tessera-memory npm run bench -- http
 *   node --import tsx bench/lib/profile-summary.ts bench-results/profiles/tessera-memory-<time>/CPU.<...>.0.001.cpuprofile
 * (node writes one profile per thread; the main thread's file has thread id 0 in its name.)
 * Shares are of the busy samples (idle left out: a bench server waits for its turn and for the load
 * generator), so they read as shares of the server's CPU. After the per-function tables, self time is summed
 * by area: a package in node_modules, a file of src/, bench code, a node: module, or a native entry
 * (`writev`, the garbage collector, …).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [rows]');
  process.exit(2);
}
const rows = Number(process.argv[3] ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

const label = (node: ProfileNode): string => {
  const url = node.callFrame.url.replace(/^.*\/(node_modules|src|bench)\//, '$1/');
  return `${node.callFrame.functionName || '(anonymous)'} ${url}${url === '' ? '' : `:${node.callFrame.lineNumber + 1}`}`;
};
/** Where a function lives: `ioredis`, `src/stores/redis/codec.ts`, `bench`, `node:http`, or a native name. */
const area = (node: ProfileNode): string => {
  const url = node.callFrame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg !== null) return pkg[1] as string;
  const source = /\/(src\/.*)$/.exec(url);
  if (source !== null) return source[1] as string;
  if (/\/bench\//.test(url)) return 'bench';
  if (url.startsWith('node:')) {
    const module = url
      .slice(5)
      .replace(/^(internal\/)?(deps\/)?/, '')
      .split('/')[0] as string;
    return `node:${module.replace(/^_/, '').replace(/_.*$/, '')}`;
  }
  return `${node.callFrame.functionName || '(anonymous)'} (native)`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const areas = new Map<string, number>();
let idle = 0;
for (const id of profile.samples) {
  const node = nodes.get(id);
  if (node === undefined) continue;
  if (node.callFrame.functionName === '(idle)') {
    idle += 1;
    continue;
  }
  self.set(label(node), (self.get(label(node)) ?? 0) + 1);
  areas.set(area(node), (areas.get(area(node)) ?? 0) + 1);
  const seen = new Set<string>();
  for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
    const name = label(nodes.get(current) as ProfileNode);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
  }
}
const total = profile.samples.length - idle;
const show = (title: string, counts: Map<string, number>): void => {
  console.log(`\n${title}`);
  for (const [name, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${((100 * count) / total).toFixed(1).padStart(6)}%  ${name}`);
  }
};
console.log(
  `${profile.samples.length} samples, ${idle} idle (${((100 * idle) / profile.samples.length).toFixed(1)}%); ` +
    `shares below are of the ${total} busy samples`,
);
show('self time', self);
show('inclusive time', inclusive);
show('self time by area', areas);
