import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { Unzip, UnzipInflate } from 'fflate';

/**
 * Streams one entry of a zip to a file with fflate's streaming unzip: the archive is read in 1 MB chunks and the
 * entry written as it inflates, so a large .ifczip never sits whole in memory. Resolves with the bytes written;
 * rejects when the entry is missing, uses an unsupported compression, or the zip is damaged.
 */
export function unzipEntryToFile(zipPath: string, entry: string, outPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const fd = openSync(outPath, 'w');
    let written = 0;
    let found = false;
    let finished = false;
    let failed = false;
    const fail = (err: Error) => {
      if (failed || finished) return;
      failed = true;
      stream.destroy();
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
      reject(err);
    };
    const unzip = new Unzip((file) => {
      if (file.name !== entry || found) return;
      found = true;
      file.ondata = (err, chunk, final) => {
        if (err) return fail(new Error(`The zip entry ${entry} is damaged: ${err.message}`));
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
    const stream = createReadStream(zipPath, { highWaterMark: 1024 * 1024 });
    stream.on('data', (chunk) => {
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
      if (!finished) fail(new Error(found ? `The zip entry ${entry} ends early: the zip is truncated` : `The zip holds no entry ${entry}`));
    });
    stream.on('error', (e) => fail(e));
  });
}
