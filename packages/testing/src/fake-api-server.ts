import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a fake provider API received. */
export interface FakeApiRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  authorization: string | null;
}

/** What a fake answers: a status with a JSON (or raw) body, or 'hang' (no answer until closed). */
export type FakeApiAnswer = { status: number; body: unknown; headers?: Record<string, string> } | 'hang';

/**
 * A loopback HTTP server (127.0.0.1, port 0) answering from `route`, with planned failures taken first.
 * The provider fakes are built on it.
 */
export class FakeApiServer {
  readonly requests: FakeApiRequest[] = [];
  private readonly planned: FakeApiAnswer[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private readonly server: Server;

  private constructor(route: (request: FakeApiRequest, url: URL) => FakeApiAnswer) {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => this.answer(req, res, route));
    });
  }

  static async start(route: (request: FakeApiRequest, url: URL) => FakeApiAnswer): Promise<FakeApiServer> {
    const fake = new FakeApiServer(route);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** http://127.0.0.1:<port> */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next `n` requests get `answer` (after the authorization check passes or not). */
  plan(n: number, answer: FakeApiAnswer): void {
    for (let i = 0; i < n; i++) this.planned.push(answer);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(
    req: IncomingMessage,
    res: ServerResponse,
    route: (request: FakeApiRequest, url: URL) => FakeApiAnswer,
  ): void {
    const request: FakeApiRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization ?? null,
    };
    this.requests.push(request);
    const answer = this.planned.shift() ?? route(request, new URL(request.path, this.origin));
    if (answer === 'hang') {
      this.hanging.add(res);
      return;
    }
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(body);
  }
}
