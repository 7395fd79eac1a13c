import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Request } from 'express';
import busboy from 'busboy';
import { ErrorCode } from '../../models/errors.js';
import { AppError } from '../errors.js';

/** A file received to disk. */
export interface ReceivedFile {
  path: string;
  bytes: number;
  fileName: string;
}

// Answered with `Connection: close` (closeAfterAnswer): the rest of an oversized body is never read (see hangUpAfterAnswer).
const tooLarge = (maxBytes: number) =>
  new AppError(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `The file is larger than the limit of ${Math.round(maxBytes / 1048576)} MB (MAX_UPLOAD_MB)`,
    { maxBytes },
  );

/** The answer to this request (the error handler's 413) goes out with `Connection: close`. */
const closeAfterAnswer = (req: Request) => req.res?.setHeader('Connection', 'close');

/** How long a connection refused with 413 stays half-closed before it is destroyed. */
const LINGER_MS = 1000;

/**
 * Stops reading an oversized body: the 413 goes out with `Connection: close`, and the connection ends once the answer
 * is flushed. Draining instead kept a keep-alive connection reading whatever the client sent (a 200 MB body against
 * MAX_UPLOAD_MB=1 was read to its end). The request is paused, so the HTTP parser stops the socket and the client's
 * sends block. After such an answer Node calls `destroySoon` (FIN, then destroy as soon as it is flushed): with body
 * bytes still unread, that destroy is a TCP reset, and a reset makes the client's kernel drop the answer it has not
 * read yet (seen in about one in six multipart floods). So the connection is half-closed first and destroyed after
 * LINGER_MS, when the client has had the answer.
 */
function hangUpAfterAnswer(req: Request): void {
  req.unpipe();
  req.pause();
  // Counts as consumed (Node's _read marks it), so Node does not dump (read to its end) the body after the answer; the
  // parser stops the socket once the request's small buffer is full.
  req.read(0);
  const socket = req.socket;
  let timer: NodeJS.Timeout | undefined;
  const linger = () => {
    if (socket.writable) socket.end();
    timer ??= setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
  socket.destroySoon = linger;
  socket.once('close', () => clearTimeout(timer));
  req.res?.once('close', linger);
}

/** Keeps the name a person sees, without any path. */
export function safeFileName(name: string | undefined): string {
  const base = String(name ?? '')
    .split(/[\\/]/)
    .pop()!
    .replace(/[\u0000-\u001f]/g, '')
    .trim();
  return base.slice(0, 255) || 'model.ifc';
}

/**
 * Writes `src` to `path`, counting bytes. Past the limit it stops writing and leaves the source unread: the caller
 * answers 413 and hangs up (the client reads the answer, then the connection ends).
 */
function toFile(src: Readable, path: string, maxBytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    let bytes = 0;
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      src.unpipe(out);
      src.off('data', onData);
      src.pause();
      out.destroy();
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) fail(tooLarge(maxBytes));
    };
    src.on('data', onData);
    src.on('error', fail);
    src.on('close', () => {
      if (!src.readableEnded) fail(new AppError(ErrorCode.BAD_REQUEST, 'The upload was interrupted'));
    });
    out.on('error', fail);
    out.on('finish', () => {
      if (settled) return;
      settled = true;
      resolve(bytes);
    });
    src.pipe(out);
  });
}

/**
 * Streams an upload to `<incomingDir>/<uuid>`: a `multipart/form-data` body (the first file part is taken) or a raw
 * body with `?filename=`. Never buffers the file; a body past `maxBytes` is cut off with 413 (the connection closes
 * after it) and its partial file removed. The caller moves the file to its model folder.
 */
export async function receiveUpload(req: Request, incomingDir: string, maxBytes: number): Promise<ReceivedFile> {
  mkdirSync(incomingDir, { recursive: true });
  const path = join(incomingDir, randomUUID());
  const declared = Number(req.headers['content-length']);
  // A declared length over the limit is refused before a byte is read (multipart overhead is small).
  if (Number.isFinite(declared) && declared > maxBytes + 1024 * 1024) {
    closeAfterAnswer(req);
    hangUpAfterAnswer(req);
    throw tooLarge(maxBytes);
  }
  try {
    const type = String(req.headers['content-type'] ?? '');
    if (type.startsWith('multipart/form-data')) {
      return await new Promise<ReceivedFile>((resolve, reject) => {
        let bb: busboy.Busboy;
        try {
          bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes + 1 } });
        } catch (e) {
          return reject(new AppError(ErrorCode.BAD_REQUEST, `Bad multipart body: ${(e as Error).message}`));
        }
        let got: Promise<ReceivedFile> | null = null;
        bb.on('file', (_field, stream, info) => {
          if (got) return stream.resume();
          got = toFile(stream, path, maxBytes).then((bytes) => ({
            path,
            bytes,
            fileName: safeFileName(info.filename),
          }));
          got.catch((e) => {
            req.unpipe(bb);
            reject(e);
          });
        });
        bb.on('error', (e) =>
          reject(new AppError(ErrorCode.BAD_REQUEST, `Bad multipart body: ${(e as Error).message}`)),
        );
        bb.on('close', () => {
          if (!got)
            reject(
              new AppError(ErrorCode.BAD_REQUEST, 'The multipart body has no file part: send the IFC as a file field'),
            );
          else got.then(resolve, reject);
        });
        req.pipe(bb);
      });
    }
    const name = typeof req.query.filename === 'string' ? req.query.filename : undefined;
    if (!name)
      throw new AppError(ErrorCode.BAD_REQUEST, 'Send multipart/form-data with a file, or a raw body with ?filename=');
    const bytes = await toFile(req, path, maxBytes);
    return { path, bytes, fileName: safeFileName(name) };
  } catch (e) {
    rmSync(path, { force: true });
    if (e instanceof AppError && e.code === ErrorCode.PAYLOAD_TOO_LARGE) closeAfterAnswer(req);
    if (!req.complete) {
      // Too large: stop reading and hang up after the 413. Other errors (a bad multipart body) are small: drain, so
      // the client reads the answer on a connection that stays usable.
      if (e instanceof AppError && e.code === ErrorCode.PAYLOAD_TOO_LARGE) hangUpAfterAnswer(req);
      else req.resume();
    }
    throw e;
  }
}
