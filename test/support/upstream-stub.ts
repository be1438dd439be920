import * as http from 'http';
import { AddressInfo } from 'net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface StubAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Wait this long before answering. */
  readonly delayMs?: number;
}

/**
 * A stub third-party API on 127.0.0.1: it records every request and
 * answers from a queue (then with the default answer).
 */
export class UpstreamStub {
  public readonly requests: RecordedRequest[] = [];
  /** Answers chosen by request, checked before the queue. */
  public rule?: (request: RecordedRequest) => StubAnswer | undefined;
  /** The most requests that were being answered at the same time. */
  public maxInFlight = 0;
  private inFlight = 0;
  private readonly queue: StubAnswer[] = [];
  private readonly timers = new Map<NodeJS.Timeout, http.ServerResponse>();
  private server?: http.Server;
  private port = 0;

  constructor(private readonly defaultAnswer: StubAnswer = { status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } }) {}

  public get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Queue answers for the next requests, in order. */
  public answer(...answers: StubAnswer[]): void {
    this.queue.push(...answers);
  }

  public reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.rule = undefined;
    // answers still delayed from an earlier test are dropped, so they do
    // not count as in flight in the next one
    this.timers.forEach((res, t) => {
      clearTimeout(t);
      res.destroy();
    });
    this.timers.clear();
    this.inFlight = 0;
    this.maxInFlight = 0;
  }

  public async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v ?? ''])),
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(recorded);
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const a = this.rule?.(recorded) ?? this.queue.shift() ?? this.defaultAnswer;
        const reply = () => {
          this.inFlight--;
          if (res.destroyed) return;
          res.writeHead(a.status ?? 200, a.headers ?? {});
          res.end(a.body ?? '');
        };
        if (a.delayMs) {
          const t = setTimeout(() => {
            this.timers.delete(t);
            reply();
          }, a.delayMs);
          this.timers.set(t, res);
        } else {
          reply();
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  public async stop(): Promise<void> {
    this.timers.forEach((_res, t) => clearTimeout(t));
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
  }
}
