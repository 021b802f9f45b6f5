import type { LoggerService, LogLevel } from '@nestjs/common';
import { trace } from '@opentelemetry/api';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Keys that may carry secrets are masked wherever they appear in structured log fields.
const SECRET_KEYS = /token|secret|authorization|password/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/** One JSON line per entry on stdout, tagged with the service and the active trace id. */
export class JsonLogger implements LoggerService {
  private readonly min: number;

  constructor(
    private readonly service: string,
    level: string = process.env.LOG_LEVEL ?? 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {
    this.min = ORDER[(level in ORDER ? level : 'info') as Level];
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  setLogLevels(_levels: LogLevel[]): void {}

  /** Structured entry: `fields` are merged into the JSON line (secrets masked). */
  event(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
    if (ORDER[level] < this.min) return;
    const span = trace.getActiveSpan()?.spanContext();
    const entry = {
      time: new Date().toISOString(),
      level,
      service: this.service,
      msg,
      ...(span && span.traceId !== '0'.repeat(32) ? { traceId: span.traceId, spanId: span.spanId } : {}),
      ...(redact(fields) as Record<string, unknown>),
    };
    this.write(`${JSON.stringify(entry)}\n`);
  }

  private emit(level: Level, message: unknown, rest: unknown[]): void {
    // Nest passes the context name last; an Error or stack string may come before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    for (const extra of rest) {
      if (typeof extra === 'string') fields.stack = extra;
      else if (extra !== undefined) fields.detail = extra;
    }
    if (message instanceof Error) {
      fields.error = message;
      this.event(level, message.message, fields);
    } else if (typeof message === 'object' && message !== null) {
      this.event(level, 'log', { ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.event(level, String(message), fields);
    }
  }
}
