import { createServer, type ServerResponse } from 'node:http';
import { natsBootStatus } from '../nats-connection';

export interface BootHealth {
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * Answers the health port while the service is still starting (e.g. NATS refuses its credential): live is
 * 200 (the process runs), ready is 503 saying why. Closed right before the service itself listens.
 */
export async function startBootHealth(port: number, host: string): Promise<BootHealth> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!.replace(/\/+$/, '');
    if (path === '/health/live') return send(res, 200, { status: 'ok' });
    if (path === '/health/ready') {
      const nats = natsBootStatus();
      return send(res, 503, {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Not ready: the service is starting',
        checks: { nats: nats.up ? 'up' : 'down' },
        ...(nats.reason ? { reasons: { nats: nats.reason } } : {}),
      });
    }
    send(res, 404, { statusCode: 404, error: 'Not Found', message: 'Not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
