/**
 * One campaign on one store: the real service in a child process, live sessions created first, then every
 * input class in turn (in a few rounds, so the hostile classes always have fresh tokens to mutate), a few
 * requests in flight at once, a health check after each class. Every answer is judged (see `judge`).
 */
import fc from 'fast-check';
import { type Ctx, INPUT_CLASSES, type InputClass, type Plan } from './classes.js';
import { PUBLIC_PATHS, validDraft, toWire } from './requests.js';
import { LiveState } from './state.js';
import { type StoreName, startTarget } from './target.js';
import { endpoint, HANG_MS, send, type WireReply, type WireRequest } from './wire.js';

export type FindingKind =
  | 'status'
  | 'reset'
  | 'hang'
  | 'crash'
  | 'unhealthy'
  | 'accepted'
  | 'auth-bypass'
  | 'error-log';

export interface Finding {
  readonly kind: FindingKind;
  readonly store: StoreName;
  readonly inputClass: string;
  readonly round: number;
  /** Position of the request in its class and round (with the seed, it names the generated plan). */
  readonly index: number;
  readonly status: number;
  readonly ms: number;
  readonly detail: string;
  readonly request: RequestSummary | null;
}

export interface RequestSummary {
  readonly transport: string;
  readonly method: string;
  readonly target: string;
  readonly headers: string[];
  /** The first bytes of the body (or of the raw request), latin1, JSON-escaped by the report. */
  readonly head: string;
  readonly bytes: number;
}

export interface ClassStats {
  readonly name: string;
  sent: number;
  readonly statuses: Record<string, number>;
  findings: number;
  raw: number;
  maxMs: number;
}

export interface CampaignResult {
  readonly store: StoreName;
  readonly where: string;
  readonly seed: number;
  readonly requested: number;
  sent: number;
  readonly wallMs: number;
  readonly classes: ClassStats[];
  readonly findings: Finding[];
  readonly healthChecks: number;
}

export interface CampaignOptions {
  readonly store: StoreName;
  /** Requests to send, across all classes (the health checks come on top). */
  readonly requests: number;
  readonly seed: number;
  /** Requests in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Only these classes (names). @default all */
  readonly classes?: readonly string[];
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
}

/** At most this many findings are kept in full per store (all are counted). */
const MAX_KEPT_FINDINGS = 200;
const SETUP_SESSIONS = 30;
const SETUP_PAIRS = 12;

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const log = options.log ?? (() => {});
  const classes = INPUT_CLASSES.filter(
    (cls) => options.classes === undefined || options.classes.includes(cls.name),
  );
  if (classes.length === 0) throw new Error('no input class selected');
  const started = performance.now();
  const target = await startTarget(options.store);
  const to = endpoint(target.host, target.port, options.concurrency ?? 8);
  const state = new LiveState();
  const ctx: Ctx = { state, apiKey: target.apiKey };
  const stats = new Map<string, ClassStats>(
    classes.map((cls) => [
      cls.name,
      { name: cls.name, sent: 0, statuses: {}, findings: 0, raw: 0, maxMs: 0 },
    ]),
  );
  const findings: Finding[] = [];
  let findingCount = 0;
  let healthChecks = 0;
  let stopped = false;
  const result = (): CampaignResult => ({
    store: options.store,
    where: target.where,
    seed: options.seed,
    requested: options.requests,
    sent: [...stats.values()].reduce((sum, s) => sum + s.sent, 0),
    wallMs: performance.now() - started,
    classes: [...stats.values()],
    findings,
    healthChecks,
  });
  const note = (finding: Finding): void => {
    findingCount += 1;
    const cls = stats.get(finding.inputClass);
    if (cls !== undefined) cls.findings += 1;
    if (findings.length < MAX_KEPT_FINDINGS) findings.push(finding);
    if (findingCount <= 20)
      log(
        `  FINDING [${finding.store}/${finding.inputClass}] ${finding.kind} ${finding.status}: ${finding.detail}`,
      );
  };
  const checkServer = (cls: string, round: number): void => {
    for (const line of target.takeErrors()) {
      note({
        kind: 'error-log',
        store: options.store,
        inputClass: cls,
        round,
        index: -1,
        status: 0,
        ms: 0,
        detail: line.slice(0, 500),
        request: null,
      });
    }
    const exit = target.exit();
    if (exit !== null && !stopped) {
      stopped = true;
      note({
        kind: 'crash',
        store: options.store,
        inputClass: cls,
        round,
        index: -1,
        status: 0,
        ms: 0,
        detail: `${exit}: ${target.stderr().slice(-1500)}`,
        request: null,
      });
    }
  };

  try {
    // Live state first: real sessions and token pairs for the hostile classes to mutate.
    const setup: Plan[] = [
      ...Array.from(
        { length: SETUP_SESSIONS },
        (_, i): Plan =>
          (c) =>
            toWire(validDraft('create', c.state, i, i), {
              headers: [['authorization', `Bearer ${c.apiKey}`]],
              valid: true,
            }),
      ),
      ...Array.from(
        { length: SETUP_PAIRS },
        (_, i): Plan =>
          (c) =>
            toWire(validDraft('exchange', c.state, i, i), {
              headers: [['authorization', `Bearer ${c.apiKey}`]],
              valid: true,
            }),
      ),
    ];
    const first = classes.find((cls) => cls.name === 'valid') ?? (classes[0] as InputClass);
    await runBatch(setup.slice(0, SETUP_SESSIONS), first.name, -1);
    await runBatch(setup.slice(SETUP_SESSIONS), first.name, -1);
    if (state.sessions.length < SETUP_SESSIONS / 2)
      throw new Error(`setup created only ${state.sessions.length} of ${SETUP_SESSIONS} sessions`);
    log(
      `[${options.store}] ${state.sessions.length} sessions, ${state.pairs.length} token pairs live; seed ${options.seed}`,
    );

    const budget = options.requests - SETUP_SESSIONS - SETUP_PAIRS;
    const totalWeight = classes.reduce((sum, cls) => sum + cls.weight, 0);
    const shares = classes.map((cls) => Math.floor((budget * cls.weight) / totalWeight));
    shares[0] = (shares[0] as number) + budget - shares.reduce((a, b) => a + b, 0);
    const rounds = budget >= 20_000 ? 5 : budget >= 3000 ? 2 : 1;
    for (let round = 0; round < rounds && !stopped; round += 1) {
      for (const [c, cls] of classes.entries()) {
        if (stopped) break;
        const share = shares[c] as number;
        const count =
          round === rounds - 1
            ? share - Math.floor(share / rounds) * (rounds - 1)
            : Math.floor(share / rounds);
        if (count <= 0) continue;
        const batchStarted = performance.now();
        const plans = samplePlans(cls, options.seed, c, round, count);
        await runBatch(plans, cls.name, round);
        await health(cls.name, round);
        checkServer(cls.name, round);
        log(
          `[${options.store}] round ${round + 1}/${rounds} ${cls.name.padEnd(15)} ${String(count).padStart(6)} requests ` +
            `${((performance.now() - batchStarted) / 1000).toFixed(1).padStart(6)} s, ${state.sessions.length} live sessions`,
        );
      }
    }
  } finally {
    checkServer('(end)', -1);
    to.agent.destroy();
    await target.close();
  }
  return result();

  async function runBatch(plans: readonly Plan[], cls: string, round: number): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < plans.length && !stopped) {
        const index = next++;
        let request: WireRequest;
        try {
          request = (plans[index] as Plan)(ctx);
        } catch (error) {
          stopped = true;
          throw new Error(
            `the ${cls} plan #${index} of round ${round} could not be built: ${(error as Error).stack}`,
          );
        }
        const reply = await send(to, request);
        record(cls, round, index, request, reply);
        try {
          request.onReply?.(reply);
        } catch {
          // The state is best effort; a reply it cannot read changes nothing.
        }
        if (!target.alive()) checkServer(cls, round);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  }

  function record(cls: string, round: number, index: number, request: WireRequest, reply: WireReply): void {
    const s = stats.get(cls) as ClassStats;
    s.sent += 1;
    if (request.transport === 'raw') s.raw += 1;
    s.maxMs = Math.max(s.maxMs, reply.ms);
    const key = reply.status === 0 ? (reply.error ?? 'none') : String(reply.status);
    s.statuses[key] = (s.statuses[key] ?? 0) + 1;
    for (const [kind, detail] of judge(request, reply)) {
      note({
        kind,
        store: options.store,
        inputClass: cls,
        round,
        index,
        status: reply.status,
        ms: Math.round(reply.ms),
        detail,
        request: summary(request),
      });
    }
  }

  async function health(cls: string, round: number): Promise<void> {
    healthChecks += 1;
    const reply = await send(to, {
      transport: 'http',
      method: 'GET',
      target: '/healthz',
      headers: [],
      keyValid: false,
    });
    if (reply.status !== 200 || reply.ms > HANG_MS)
      note({
        kind: 'unhealthy',
        store: options.store,
        inputClass: cls,
        round,
        index: -1,
        status: reply.status,
        ms: Math.round(reply.ms),
        detail: `GET /healthz after the class answered ${reply.status || reply.error} in ${Math.round(reply.ms)} ms`,
        request: null,
      });
  }
}

/** What is wrong with an answer, if anything. The store is up throughout, so a 503 is a finding too. */
export function judge(request: WireRequest, reply: WireReply): Array<[FindingKind, string]> {
  const out: Array<[FindingKind, string]> = [];
  if (reply.status === 0) {
    out.push(
      reply.error === 'timeout' ? ['hang', 'no answer in 10 s'] : ['reset', `no answer: ${reply.error}`],
    );
  } else if (reply.status >= 500) {
    out.push(['status', `${reply.status}: ${reply.body.slice(0, 200)}`]);
  }
  if (reply.status !== 0 && reply.ms > HANG_MS)
    out.push(['hang', `answered after ${Math.round(reply.ms)} ms`]);
  const ok = reply.status >= 200 && reply.status < 300;
  if (ok && request.mustRefuse !== undefined)
    out.push(['accepted', `${request.mustRefuse} was accepted (${reply.status})`]);
  const path = request.target.split('?')[0] as string;
  if (ok && !request.keyValid && !PUBLIC_PATHS.has(path))
    out.push([
      'auth-bypass',
      `${request.method} ${path.slice(0, 100)} answered ${reply.status} without a valid API key`,
    ]);
  return out;
}

function summary(request: WireRequest): RequestSummary {
  const payload = request.bytes ?? request.body ?? Buffer.alloc(0);
  return {
    transport: request.transport,
    method: request.method.slice(0, 80),
    target: request.target.slice(0, 300),
    headers: request.headers
      .map(
        ([name, value]) =>
          `${name}: ${(typeof value === 'string' ? value : value.toString('latin1')).slice(0, 120)}`,
      )
      .slice(0, 20),
    head: payload.subarray(0, 600).toString('latin1'),
    bytes: payload.byteLength,
  };
}

/** The plans of one class in one round: a pure function of the seed, the class and the round. */
export function samplePlans(
  cls: InputClass,
  seed: number,
  classIndex: number,
  round: number,
  count: number,
): Plan[] {
  const plans: Plan[] = [];
  const batch = 500;
  for (let at = 0; at < count; at += batch) {
    const part = fc.sample(cls.plan, {
      seed: mix(seed, classIndex, round, at / batch),
      numRuns: Math.min(batch, count - at),
    });
    plans.push(...part);
  }
  return plans;
}

/** A 32-bit seed from the campaign seed and the position of a batch. */
export function mix(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h ^= part >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= h >>> 15;
  }
  return h | 0;
}
