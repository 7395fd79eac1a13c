import { closeSync, createReadStream, openSync, rmSync, writeSync } from 'node:fs';
import { Unzip, UnzipInflate } from 'fflate';

/** The entry expands past the limit it was given (a zip bomb, or an IFC larger than an upload may be). */
export class UnzipLimitError extends Error {
  override name = 'UnzipLimitError';
}

/** Input chunk: small enough that one chunk of a zip bomb inflates to at most ~64 MB (deflate tops out near 1032:1). */
const CHUNK_BYTES = 64 * 1024;

/**
 * Streams one entry of a zip to a file with fflate's streaming unzip: the archive is read in 64 KB chunks and the
 * entry written as it inflates, so a large .ifczip never sits whole in memory. Inflating stops as soon as the entry
 * passes `maxBytes` (the sizes in the zip's headers are the sender's word, so the bytes are counted), and the partial
 * file is removed. Resolves with the bytes written; rejects when the entry is missing, too large, uses an unsupported
 * compression, or the zip is damaged.
 */
export function unzipEntryToFile(
  zipPath: string,
  entry: string,
  outPath: string,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const fd = openSync(outPath, 'w');
    let written = 0;
    let found = false;
    let finished = false;
    let failed = false;
    let current: { terminate(): void } | undefined;
    const fail = (err: Error) => {
      if (failed || finished) return;
      failed = true;
      stream.destroy();
      try {
        current?.terminate();
      } catch {
        /* already ended */
      }
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
      rmSync(outPath, { force: true });
      reject(err);
    };
    const unzip = new Unzip((file) => {
      if (file.name !== entry || found) return;
      found = true;
      current = file;
      file.ondata = (err, chunk, final) => {
        if (failed) return;
        if (err) return fail(new Error(`The zip entry ${entry} is damaged: ${err.message}`));
        if (written + chunk.length > maxBytes)
          return fail(
            new UnzipLimitError(
              `${entry} in the zip expands to more than ${Math.round((maxBytes / 1048576) * 100) / 100} MB, the largest IFC this server takes (MAX_UPLOAD_MB)`,
            ),
          );
        try {
          if (chunk.length) written += writeSync(fd, chunk);
          if (final) {
            finished = true;
            closeSync(fd);
            stream.destroy();
            resolve(written);
          }
        } catch (e) {
          fail(e as Error);
        }
      };
      try {
        file.start();
      } catch (e) {
        fail(new Error(`The zip entry ${entry} cannot be read: ${(e as Error).message}`));
      }
    });
    unzip.register(UnzipInflate);
    const stream = createReadStream(zipPath, { highWaterMark: CHUNK_BYTES });
    stream.on('data', (chunk) => {
      if (failed || finished) return;
      try {
        unzip.push(chunk as Buffer, false);
      } catch (e) {
        fail(new Error(`The zip is damaged: ${(e as Error).message}`));
      }
    });
    stream.on('end', () => {
      if (finished || failed) return;
      try {
        unzip.push(new Uint8Array(0), true);
      } catch (e) {
        return fail(new Error(`The zip is damaged: ${(e as Error).message}`));
      }
      if (!finished)
        fail(
          new Error(
            found ? `The zip entry ${entry} ends early: the zip is truncated` : `The zip holds no entry ${entry}`,
          ),
        );
    });
    stream.on('error', (e) => fail(e));
  });
}
