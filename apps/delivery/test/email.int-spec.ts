import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';
import { EMAIL_NOT_CONFIGURED_ERROR, SmtpMailer, type OutgoingEmail } from '../src/email';
import { parseMime, partOfType } from './mime';

// Credentials with characters a URL must escape, to see that the mailer's URL is read as written.
const USER = 'mailer@rocketlead.test';
const PASSWORD = 'p@ss:w/rd%Zz9';
const SMTP_USERINFO = `${encodeURIComponent(USER)}:${encodeURIComponent(PASSWORD)}`;

interface Received {
  mailFrom: string | null;
  rcptTo: string[];
  raw: string;
  sessionId: string;
}

/** An SMTP reply error as smtp-server sends it: `<code> <message>`. */
function reply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * A real SMTP server (smtp-server) on a loopback port: AUTH PLAIN/LOGIN against USER/PASSWORD, STARTTLS off
 * (no certificate here), recipients answered by their local part: reject550@, defer451@, datafail554@.
 */
class TestSmtpServer {
  readonly received: Received[] = [];
  readonly auths: { username: string | null | undefined; password: string | null | undefined }[] = [];
  connections = 0;
  private readonly server: SMTPServer;

  constructor() {
    this.server = new SMTPServer({
      logger: false,
      disableReverseLookup: true,
      disabledCommands: ['STARTTLS'],
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: true,
      closeTimeout: 2000,
      onConnect: (_session: SMTPServerSession, callback: (err?: Error | null) => void) => {
        this.connections++;
        callback();
      },
      onAuth: (auth: SMTPServerAuthentication, _session, callback) => {
        this.auths.push({ username: auth.username, password: auth.password });
        if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: USER });
        else callback(reply(535, 'Authentication credentials invalid'));
      },
      onRcptTo: (address, _session, callback) => {
        const local = address.address.split('@')[0];
        if (local === 'reject550') callback(reply(550, '5.1.1 Mailbox unavailable'));
        else if (local === 'defer451') callback(reply(451, '4.3.0 Try again later'));
        else callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const rcptTo = session.envelope.rcptTo.map((rcpt) => rcpt.address);
          if (rcptTo.some((address) => address.startsWith('datafail554@')))
            return callback(reply(554, '5.7.1 Message rejected as spam'));
          this.received.push({
            mailFrom: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
            rcptTo,
            raw: Buffer.concat(chunks).toString('utf8'),
            sessionId: session.id,
          });
          callback(null, '2.0.0 Ok: queued as TEST123');
        });
      },
    });
  }

  async start(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server.server, 'listening');
    return (this.server.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A TCP server that accepts connections and never says a word (no SMTP greeting). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A server that greets, then answers EHLO one byte every 50 ms, forever: no socket timeout ever fires. */
async function tricklingServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.write('220 slow.test ESMTP\r\n');
    socket.once('data', () => {
      const line = '250-slow.test says hello\r\n';
      let sent = 0;
      const timer = setInterval(() => socket.write(line[sent++ % line.length]), 50);
      timers.add(timer);
      socket.on('close', () => clearInterval(timer));
    });
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const EMAIL: OutgoingEmail = {
  from: 'RocketLead <no-reply@rocketlead.test>',
  to: 'lead@example.com',
  subject: 'Grüße from RocketLead — your quote',
  text: 'Hello Ada,\n\nyour quote is ready: 1 200 € per month.\nSee you!',
  html: '<html><body><p>Hello <b>Ada</b>,</p><p>your quote is ready: 1 200 € per month.</p></body></html>',
  headers: {
    'List-Unsubscribe': '<http://localhost:3000/public/e/u/abc.def>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
  messageId: '<0b9c6a1e-5d7f-4c3a-9f60-2d1e8b7a4c11@rocketlead>',
};

describe('SmtpMailer against a real SMTP server', () => {
  const smtp = new TestSmtpServer();
  let port: number;
  const mailers: SmtpMailer[] = [];
  const mailer = (url: string, options?: { timeoutMs?: number }): SmtpMailer => {
    const created = new SmtpMailer(url, options);
    mailers.push(created);
    return created;
  };

  beforeAll(async () => {
    port = await smtp.start();
  });

  afterEach(() => {
    for (const created of mailers.splice(0)) created.close();
  });

  afterAll(async () => {
    await smtp.stop();
  });

  it('delivers from, to, subject, text, html and headers exactly, authenticated with the URL’s credentials', async () => {
    const result = await mailer(`smtp://${SMTP_USERINFO}@127.0.0.1:${port}`).send(EMAIL);

    expect(result).toEqual({
      ok: true,
      permanent: false,
      responseCode: 250,
      response: expect.stringContaining('250 2.0.0 Ok: queued as TEST123'),
      error: null,
      durationMs: expect.any(Number),
    });
    expect(smtp.auths.at(-1)).toEqual({ username: USER, password: PASSWORD });
    const message = smtp.received.at(-1)!;
    expect(message.mailFrom).toBe('no-reply@rocketlead.test');
    expect(message.rcptTo).toEqual(['lead@example.com']);

    const [root, ...parts] = parseMime(message.raw);
    expect(root.headers.get('from')).toBe('RocketLead <no-reply@rocketlead.test>');
    expect(root.headers.get('to')).toBe('lead@example.com');
    expect(root.headers.get('subject')).toBe(EMAIL.subject);
    expect(root.headers.get('message-id')).toBe(EMAIL.messageId);
    expect(root.headers.get('list-unsubscribe')).toBe('<http://localhost:3000/public/e/u/abc.def>');
    expect(root.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(root.headers.get('content-type')).toMatch(/^multipart\/alternative/);
    expect(partOfType(parts, 'text/plain')?.body).toBe(EMAIL.text);
    expect(partOfType(parts, 'text/html')?.body).toBe(EMAIL.html);
  });

  it('sends a text-only and an html-only email as a single part', async () => {
    const sender = mailer(`smtp://${SMTP_USERINFO}@127.0.0.1:${port}`);
    expect((await sender.send({ ...EMAIL, html: null })).ok).toBe(true);
    const [textOnly] = parseMime(smtp.received.at(-1)!.raw);
    expect(textOnly.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(textOnly.body).toBe(EMAIL.text);

    expect((await sender.send({ ...EMAIL, text: null })).ok).toBe(true);
    const [htmlOnly] = parseMime(smtp.received.at(-1)!.raw);
    expect(htmlOnly.headers.get('content-type')).toMatch(/^text\/html/);
    expect(htmlOnly.body).toBe(EMAIL.html);
  });

  it('reuses one pooled connection for messages sent one after the other', async () => {
    const sender = mailer(`smtp://${SMTP_USERINFO}@127.0.0.1:${port}`);
    const before = smtp.connections;
    const receivedBefore = smtp.received.length;
    for (let i = 0; i < 3; i++)
      expect((await sender.send({ ...EMAIL, subject: `Message ${i}` })).ok).toBe(true);
    expect(smtp.connections - before).toBe(1);
    const sessions = new Set(smtp.received.slice(receivedBefore).map((message) => message.sessionId));
    expect(sessions.size).toBe(1);
  });

  it('reports a 550 at RCPT as permanent, with the server’s reply', async () => {
    const sender = mailer(`smtp://${SMTP_USERINFO}@127.0.0.1:${port}`);
    const receivedBefore = smtp.received.length;
    const result = await sender.send({ ...EMAIL, to: 'reject550@example.com' });
    expect(result).toMatchObject({ ok: false, permanent: true, responseCode: 550 });
    expect(result.response).toContain('550 5.1.1 Mailbox unavailable');
    expect(result.error).toContain('550 5.1.1 Mailbox unavailable');
    expect(smtp.received.length).toBe(receivedBefore);
    // The connection stays usable for the next message.
    expect((await sender.send(EMAIL)).ok).toBe(true);
  });

  it('reports a 451 at RCPT as temporary', async () => {
    const result = await mailer(`smtp://${SMTP_USERINFO}@127.0.0.1:${port}`).send({
      ...EMAIL,
      to: 'defer451@example.com',
    });
    expect(result).toMatchObject({ ok: false, permanent: false, responseCode: 451 });
    expect(result.response).toContain('451 4.3.0 Try again later');
  });

  it('reports a 554 after DATA as permanent', async () => {
    const result = await mailer(`smtp://${SMTP_USERINFO}@127.0.0.1:${port}`).send({
      ...EMAIL,
      to: 'datafail554@example.com',
    });
    expect(result).toMatchObject({ ok: false, permanent: true, responseCode: 554 });
    expect(result.response).toContain('5.7.1 Message rejected as spam');
  });

  it('keeps refused credentials retryable and never shows the password', async () => {
    const wrong = 'Wr0ng:Secret!';
    const result = await mailer(
      `smtp://${encodeURIComponent(USER)}:${encodeURIComponent(wrong)}@127.0.0.1:${port}`,
    ).send(EMAIL);
    expect(result).toMatchObject({ ok: false, permanent: false, responseCode: 535 });
    expect(result.error).toContain('EAUTH');
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(JSON.stringify(result)).not.toContain(encodeURIComponent(wrong));
  });

  it('reports a server that is down as temporary', async () => {
    const result = await mailer(`smtp://${SMTP_USERINFO}@127.0.0.1:${await closedPort()}`).send(EMAIL);
    expect(result).toMatchObject({ ok: false, permanent: false, responseCode: null, response: null });
    expect(result.error).toContain('connection refused');
  });

  it('gives up on a server that never greets, as temporary', async () => {
    const silent = await silentServer();
    try {
      const result = await mailer(`smtp://127.0.0.1:${silent.port}`, { timeoutMs: 300 }).send(EMAIL);
      expect(result).toMatchObject({ ok: false, permanent: false, responseCode: null });
      expect(result.error).toMatch(/greeting|timeout/i);
      expect(result.durationMs).toBeLessThan(5000);
    } finally {
      await silent.close();
    }
  });

  it('bounds the whole send when a server trickles its replies (3× the timeout), as temporary', async () => {
    const slow = await tricklingServer();
    try {
      const result = await mailer(`smtp://127.0.0.1:${slow.port}`, { timeoutMs: 300 }).send(EMAIL);
      expect(result).toMatchObject({ ok: false, permanent: false, error: 'timeout after 900 ms' });
      expect(result.durationMs).toBeGreaterThanOrEqual(850);
      expect(result.durationMs).toBeLessThan(5000);
    } finally {
      await slow.close();
    }
  });

  it('fails permanently, without a connection, when not configured', async () => {
    const unconfigured = mailer('');
    expect(unconfigured.configured).toBe(false);
    expect(await unconfigured.send(EMAIL)).toEqual({
      ok: false,
      permanent: true,
      responseCode: null,
      response: null,
      error: EMAIL_NOT_CONFIGURED_ERROR,
      durationMs: expect.any(Number),
    });
    expect(EMAIL_NOT_CONFIGURED_ERROR).toBe('email is not configured (SMTP_URL is empty)');
  });

  it('refuses to send after close', async () => {
    const sender = mailer(`smtp://${SMTP_USERINFO}@127.0.0.1:${port}`);
    expect(sender.configured).toBe(true);
    sender.close();
    expect(await sender.send(EMAIL)).toMatchObject({ ok: false, permanent: false, error: 'mailer closed' });
  });
});
