import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-errors.js';

/** Largest request body the service reads (the engine caps session data at 64 KiB too). */
export const MAX_BODY_BYTES = 64 * 1024;

const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * Reads a JSON request body. The size limit is enforced while reading (a declared Content-Length over the
 * limit is refused before reading anything), so a large body never sits in memory. The parser's own
 * message is never echoed back: it quotes the input, which may hold a token.
 */
export async function readJsonBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = request.headers['content-type'];
  if (type === undefined || !JSON_TYPE.test(type.trim())) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as Content-Type: application/json.');
  }
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const text = await readLimited(request, limit);
  if (text.trim() === '') throw new HttpError(400, 'invalid_json', 'The request body is empty.');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}

/** Reads a JSON body that must be an object (every endpoint takes one). */
export async function readJsonObject(request: IncomingMessage): Promise<Record<string, unknown>> {
  const value = await readJsonBody(request);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'invalid_request', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'payload_too_large', `The request body is larger than ${limit} bytes.`, {
    headers: [['connection', 'close']],
  });
}

function readLimited(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks.length = 0;
        // Keep the socket flowing so the reply can be read; the connection is closed after it.
        request.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      const buffer = Buffer.concat(chunks, size);
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(buffer));
      } catch {
        reject(new HttpError(400, 'invalid_json', 'The request body is not valid UTF-8.'));
      }
    };
    const onError = (): void => {
      cleanup();
      reject(new HttpError(400, 'invalid_request', 'The request body could not be read.'));
    };
    const onAborted = (): void => {
      cleanup();
      reject(new HttpError(400, 'invalid_request', 'The request body was cut short.'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}
