import type { Dispatcher } from 'undici';

/** The answer is longer than the reader accepts. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`answer larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads the whole body, or throws BodyTooLargeError (and drops the connection) as soon as it passes `limit`
 * bytes; a Content-Length over the limit is refused before anything is read.
 */
export async function readBoundedBody(response: Dispatcher.ResponseData, limit: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    response.body.destroy();
    throw new BodyTooLargeError(limit);
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      response.body.destroy();
      throw new BodyTooLargeError(limit);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}
