// The few autocannon 9 shapes the benches use (the package ships no types).
declare module 'autocannon' {
  interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
  }
  interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
  }
  interface Client {
    /** Replaces the requests this one connection cycles through. */
    setRequests(requests: Request[]): void;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    method?: string;
    headers?: Record<string, string>;
    /** Requests each connection cycles through, in order (built once when they have no setupRequest). */
    requests?: Request[];
    /** Called with each connection's client as it is made (before its first request). */
    setupClient?: (client: Client) => void;
    timeout?: number;
  }
  interface Result {
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    mismatches: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
  }
  interface Instance extends PromiseLike<Result> {
    /** Every response: status, bytes and the response time in (fractional) milliseconds. */
    on(
      event: 'response',
      listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void,
    ): Instance;
    stop(): void;
  }
  function autocannon(options: Options): Instance;
  export default autocannon;
  export type { Instance, Options, Result };
}
