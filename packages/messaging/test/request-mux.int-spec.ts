import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, ErrorCode, type NatsConnection, type NatsError } from 'nats';
import { startInfrastructure, uniqueName, type Infrastructure } from '@rocketlead/testing';
import { checkPubAck } from '../src/outbox/outbox-relay';
import { RequestMux } from '../src/rpc/request-mux';

// Real NATS: the replies, the server's no-responders status and JetStream acks are the server's own.
describe('RequestMux (real NATS)', () => {
  let infra: Infrastructure;
  let nc: NatsConnection;
  let server: NatsConnection;

  beforeAll(async () => {
    infra = await startInfrastructure();
    nc = await connect({ servers: infra.natsUrl });
    server = await connect({ servers: infra.natsUrl });
  });

  afterAll(async () => {
    await nc?.close();
    await server?.close();
    await infra?.stop();
  });

  const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> =>
    promise.then(
      () => undefined,
      (error: NatsError) => error.code,
    );

  it('pairs each reply with its request, many in flight on one subscription', async () => {
    const subject = uniqueName('echo');
    // Answers out of order: the later request first.
    const pending: { reply: string; data: string }[] = [];
    server.subscribe(subject, {
      callback: (_error, msg) => {
        pending.push({ reply: msg.reply!, data: msg.string() });
        if (pending.length === 50) for (const p of pending.reverse()) server.publish(p.reply, `re:${p.data}`);
      },
    });
    await server.flush();
    const mux = RequestMux.of(nc);
    expect(RequestMux.of(nc)).toBe(mux);
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => mux.request(subject, String(i), { timeoutMs: 5_000 })),
    );
    expect(replies.map((msg) => msg.string())).toEqual(Array.from({ length: 50 }, (_, i) => `re:${i}`));
  });

  it('fails at once with no responders (503) when nobody serves the subject', async () => {
    const started = Date.now();
    expect(await codeOf(RequestMux.of(nc).request(uniqueName('nobody'), 'x', { timeoutMs: 10_000 }))).toBe(
      ErrorCode.NoResponders,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('times out a request nobody answers, and ignores the reply that comes after', async () => {
    const subject = uniqueName('silent');
    let lateReply: string | undefined;
    server.subscribe(subject, { callback: (_error, msg) => (lateReply = msg.reply) });
    await server.flush();
    const mux = RequestMux.of(nc);
    expect(await codeOf(mux.request(subject, 'x', { timeoutMs: 100 }))).toBe(ErrorCode.Timeout);
    server.publish(lateReply!, 'too late');
    await server.flush();
    // The mux still answers the next request normally.
    const echo = uniqueName('echo');
    server.subscribe(echo, { callback: (_error, msg) => msg.respond('ok') });
    await server.flush();
    expect((await mux.request(echo, 'x', { timeoutMs: 5_000 })).string()).toBe('ok');
  });

  it('rejects requests on a closed connection', async () => {
    const other = await connect({ servers: infra.natsUrl });
    const subject = uniqueName('silent');
    server.subscribe(subject, { callback: () => undefined });
    await server.flush();
    const inFlight = codeOf(RequestMux.of(other).request(subject, 'x', { timeoutMs: 30_000 }));
    await other.close();
    expect(await inFlight).toBe(ErrorCode.ConnectionClosed);
    expect(await codeOf(RequestMux.of(other).request(subject, 'x', { timeoutMs: 1_000 }))).toBe(
      ErrorCode.ConnectionClosed,
    );
  });

  it('reads a JetStream ack, and turns a stream error into a JetStream NatsError', async () => {
    const stream = uniqueName('MUX').toUpperCase();
    const subject = `${stream.toLowerCase()}.one`;
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [subject], max_msgs: 1, discard: 'new' as never });
    try {
      const mux = RequestMux.of(nc);
      checkPubAck(await mux.request(subject, 'first', { timeoutMs: 5_000 }));
      // The stream is full (max 1 message, discard new): the server answers with an API error.
      const full = await mux.request(subject, 'second', { timeoutMs: 5_000 });
      let thrown: NatsError | undefined;
      try {
        checkPubAck(full);
      } catch (error) {
        thrown = error as NatsError;
      }
      expect(thrown?.isJetStreamError()).toBe(true);
      expect(thrown?.message).toMatch(/maximum messages exceeded/i);
      expect((await jsm.streams.info(stream)).state.messages).toBe(1);
    } finally {
      await jsm.streams.delete(stream);
    }
  });
});
