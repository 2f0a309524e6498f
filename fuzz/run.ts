/**
 * The bounded fuzz campaign against the real service (docs/fuzz.md):
 *
 *   npm run fuzz -- [--requests 100000] [--stores sqlite,postgres,redis] [--seed N] [--concurrency 8]
 *                   [--classes valid,headers,…] [--out fuzz-results/latest.json]
 *
 * Each store gets its own service process and `--requests` requests; the stores run one after another. The
 * seed is printed (a random one unless given): the same seed generates the same requests. Exit 1 on any finding,
 * 2 on a usage error or a store that cannot be reached.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type CampaignResult, runCampaign } from './campaign.js';
import { INPUT_CLASSES } from './classes.js';
import { findingCount, summaryJson, table } from './report.js';
import { STORES, type StoreName } from './target.js';

interface Options {
  requests: number;
  stores: StoreName[];
  seed: number;
  concurrency: number;
  classes: string[] | undefined;
  out: string;
}

function usage(message: string): never {
  process.stderr.write(`fuzz: ${message}\n`);
  process.stderr.write(
    'usage: npm run fuzz -- [--requests N] [--stores sqlite,postgres,redis,memory] [--seed N] [--concurrency N] [--classes a,b] [--out FILE]\n',
  );
  process.exit(2);
}

function parse(argv: readonly string[]): Options {
  const options: Options = {
    requests: 100_000,
    stores: ['sqlite', 'postgres', 'redis'],
    seed: (Math.random() * 2 ** 31) | 0,
    concurrency: 8,
    classes: undefined,
    out: 'fuzz-results/latest.json',
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] as string;
    const value = argv[i + 1];
    if (value === undefined) usage(`${flag} needs a value`);
    i += 1;
    switch (flag) {
      case '--requests':
      case '--seed':
      case '--concurrency': {
        if (!/^-?\d+$/.test(value)) usage(`${flag} must be a whole number`);
        const number = Number(value);
        if (flag === '--requests') {
          if (number < 100) usage('--requests must be at least 100');
          options.requests = number;
        } else if (flag === '--seed') options.seed = number | 0;
        else {
          if (number < 1 || number > 64) usage('--concurrency must be 1 to 64');
          options.concurrency = number;
        }
        break;
      }
      case '--stores': {
        const stores = value.split(',').map((store) => store.trim());
        for (const store of stores)
          if (!(STORES as readonly string[]).includes(store))
            usage(`unknown store "${store}" (${STORES.join(', ')})`);
        options.stores = stores as StoreName[];
        break;
      }
      case '--classes': {
        const names = value.split(',').map((name) => name.trim());
        for (const name of names)
          if (!INPUT_CLASSES.some((cls) => cls.name === name))
            usage(`unknown class "${name}" (${INPUT_CLASSES.map((cls) => cls.name).join(', ')})`);
        options.classes = names;
        break;
      }
      case '--out':
        options.out = value;
        break;
      default:
        usage(`unknown option ${flag}`);
    }
  }
  return options;
}

const options = parse(process.argv.slice(2));
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
log(
  `fuzz: seed ${options.seed}, ${options.requests} requests per store on ${options.stores.join(', ')}, ` +
    `${options.concurrency} in flight (reproduce with --seed ${options.seed})`,
);
const results: CampaignResult[] = [];
for (const store of options.stores) {
  try {
    results.push(
      await runCampaign({
        store,
        requests: options.requests,
        seed: options.seed,
        concurrency: options.concurrency,
        ...(options.classes === undefined ? {} : { classes: options.classes }),
        log,
      }),
    );
  } catch (error) {
    process.stderr.write(`fuzz: the ${store} campaign could not run: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
  const last = results.at(-1);
  if (last?.store === store)
    log(
      `[${store}] done: ${last.sent} requests in ${(last.wallMs / 1000).toFixed(1)} s, ${findingCount(last)} findings`,
    );
}

log(`\n${table(results)}\n`);
const out = resolve(options.out);
await mkdir(dirname(out), { recursive: true });
await writeFile(
  out,
  summaryJson(results, {
    seed: options.seed,
    requestsPerStore: options.requests,
    concurrency: options.concurrency,
    node: process.version,
    finishedAt: new Date().toISOString(),
  }),
);
const total = results.reduce((sum, result) => sum + findingCount(result), 0);
for (const result of results)
  for (const finding of result.findings.slice(0, 10))
    log(
      `finding [${result.store}/${finding.inputClass} round ${finding.round} #${finding.index}] ${finding.kind}: ${finding.detail}\n  ${JSON.stringify(finding.request)}`,
    );
log(`fuzz: ${total} findings; summary in ${out}; seed ${options.seed}`);
if (total > 0) process.exitCode = 1;
