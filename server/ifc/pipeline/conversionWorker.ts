import { closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { ErrorCode } from '../../../models/errors.js';
import { ConversionError, convertIfc } from './convert.js';
import { writeDemoBuilding } from './demoBuilding.js';
import { fragmentsFile, unpackedFile } from './files.js';
import { convertSizeProblem, fragmentsSizeProblem } from './sizeLimits.js';
import { sniffFile } from './sniff.js';
import { unzipEntryToFile } from './unzip.js';
import { createIfcApi, type IfcAPI } from './webIfc.js';
import type { ConversionJob, FromWorker, ScheduleJob, ToWorker, WorkerJob } from './protocol.js';
import { ONE_PARSE_FAILED, TwinSession } from './twinSession.js';
import { readWorkScheduleFile } from './workSchedule.js';

/**
 * A conversion worker process: one job at a time, web-ifc initialised once and reused. It runs in its own process so
 * that a wasm abort or an out-of-memory on a huge file ends this process only, and so that web-ifc's wasm heap never
 * counts against the server's memory.
 */
const send = (m: FromWorker) =>
  new Promise<void>((resolve, reject) =>
    process.send!(m, undefined, undefined, (err) => (err ? reject(err) : resolve())),
  );

const acks = new Map<number, () => void>();
/** Numbers element batches across jobs, so a late ack of a failed job's batch cannot release one of the next job. */
let seq = 0;
/** Element batches a map job may have sent and not yet seen acknowledged (each up to 500 rows). */
const ELEMENTS_IN_FLIGHT = Math.max(1, Number(process.env.IFC_ELEMENTS_IN_FLIGHT) || 24);
let api: IfcAPI | null = null;

/**
 * One parse for the whole twin: the map job's model stays open (its TwinSession) for the model's Fragments job, which
 * this process goes on into after `done` (or the server queues on `done`). Any other map job closes it first (the
 * Fragments job then parses the file itself, as before). IFC_SHARED_PARSE=0 turns it off (bench/ifc.ts compares both
 * in one run).
 */
const SHARED_PARSE = process.env.IFC_SHARED_PARSE !== '0';
let held: { modelId: string; session: TwinSession } | null = null;
/** Why the last map job could not open its model for the whole twin: its Fragments job logs it (server log). */
let unshared: { modelId: string; reason: string } | null = null;
const release = () => {
  const h = held;
  held = null;
  h?.session.close();
};

/** The Fragments job: reads the plain IFC the map job left (the upload, or the unpacked file of a zip). */
async function runFragments(job: ConversionJob): Promise<void> {
  const session = held?.modelId === job.modelId ? held.session : null;
  if (!session) release();
  held = null;
  try {
    if (!session && !existsSync(job.sourcePath)) throw new ConversionError('The IFC file is gone from the server');
    const tooLarge = session ? null : fragmentsSizeProblem(job.sourcePath, job.maxFragmentsBytes);
    if (tooLarge) throw new ConversionError(tooLarge, 'too_large_for_fragments');
    // Loaded with the first Fragments job: the worker starts (and takes map jobs) without the importer's modules.
    const { twinFragments, writeFragmentsFile } = await import('./fragments.js');
    const warnings: string[] = [];
    if (!session && unshared?.modelId === job.modelId) warnings.push(`${ONE_PARSE_FAILED}: ${unshared.reason}`);
    unshared = null;
    const frag = await twinFragments(
      session,
      session?.bytes ?? readFileSync(job.sourcePath),
      () => {},
      (w) => warnings.push(w),
    );
    const bytes = writeFragmentsFile(fragmentsFile(job.outDir), frag);
    await send({ type: 'fragments', modelId: job.modelId, bytes, ...(warnings.length ? { warnings } : {}) });
  } finally {
    session?.close();
    if (SHARED_PARSE) TwinSession.prepare();
  }
}

/** The schedule job: the IfcWorkSchedule of a plain IFC, with the worker's web-ifc (each job opens and closes the file). */
async function runSchedule(job: ScheduleJob): Promise<void> {
  try {
    if (!existsSync(job.sourcePath)) throw new ConversionError('The IFC file is gone from the server');
    api ??= await createIfcApi();
    const result = await readWorkScheduleFile(job.sourcePath, api);
    await send({ type: 'schedule', modelId: job.modelId, result });
  } catch (err) {
    const known = err instanceof ConversionError;
    await send({
      type: 'failed',
      modelId: job.modelId,
      code: known ? ErrorCode.UNPROCESSABLE : ErrorCode.INTERNAL,
      message: `The schedule could not be read from the IFC file: ${(err as Error)?.message ?? String(err)}`,
    });
    if (!known) process.exit(3);
  }
}

/** The model whose map job must not go on into its Fragments job (`noThen`: another job waits for this worker). */
let noThen: string | null = null;

async function run(job: WorkerJob, then?: ConversionJob): Promise<void> {
  if (job.kind === 'schedule') return runSchedule(job);
  if (job.kind === 'fragments') {
    try {
      await runFragments(job);
    } catch (err) {
      const known = err instanceof ConversionError;
      await send({
        type: 'failed',
        modelId: job.modelId,
        code: known ? ErrorCode.UNPROCESSABLE : ErrorCode.INTERNAL,
        message: `The Fragments file could not be built: ${(err as Error)?.message ?? String(err)}`,
        ...(known && err.problem ? { problem: err.problem } : {}),
      });
      if (!known) process.exit(3);
    }
    return;
  }
  release();
  let lastSent = 0;
  let lastStage = '';
  const inFlight = new Set<Promise<void>>();
  let session: TwinSession | null = null;
  let next: ConversionJob | undefined;
  try {
    let ifcPath = job.sourcePath;
    api ??= await createIfcApi();
    if (job.generate) {
      void send({ type: 'progress', modelId: job.modelId, stage: 'unpack', pct: 0 });
      // Written under a temporary name and renamed: a crash mid-write leaves no half file that recovery would take
      // for an upload (it generates the model again instead).
      const tmp = `${job.sourcePath}.partial`;
      const fd = openSync(tmp, 'w');
      try {
        writeDemoBuilding(api, job.generate, (chunk) => void writeSync(fd, chunk));
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, job.sourcePath);
    }
    if (job.sourceKind === 'ifczip') {
      void send({ type: 'progress', modelId: job.modelId, stage: 'unpack', pct: 0 });
      const sniffed = sniffFile(job.sourcePath);
      if (!sniffed.ok) throw new ConversionError(sniffed.reason);
      if (sniffed.kind !== 'ifczip') throw new ConversionError('The upload was recorded as a zip but is not one');
      ifcPath = unpackedFile(job.outDir);
      // A damaged or oversized entry is the upload's fault, not the worker's: fail the model, keep the worker.
      await unzipEntryToFile(job.sourcePath, sniffed.entry, ifcPath, job.maxUnpackedBytes).catch((e: Error) => {
        throw new ConversionError(e.message);
      });
      const inner = sniffFile(ifcPath);
      if (!inner.ok) throw new ConversionError(`${sniffed.entry} in the zip: ${inner.reason}`);
    }
    if (!existsSync(ifcPath)) throw new ConversionError('The uploaded file is gone from the server');
    const tooLarge = convertSizeProblem(ifcPath, job.maxConvertBytes);
    if (tooLarge) throw new ConversionError(tooLarge, 'too_large');
    // Past IFC_FRAGMENTS_MAX_MB no Fragments job follows: no session is opened to be held for it.
    const noFragments = fragmentsSizeProblem(ifcPath, job.maxFragmentsBytes);
    // web-ifc reads the whole file in TwinSession.open (minutes for a gigabyte): the model says so, not `queued`.
    void send({ type: 'progress', modelId: job.modelId, stage: 'parse', pct: 0 });
    // A file web-ifc refuses, or a session that cannot be set up, converts the old way (convertIfc says what is wrong).
    unshared = null;
    if (SHARED_PARSE && !noFragments)
      session = await TwinSession.open(readFileSync(ifcPath)).catch((err: Error) => {
        unshared = { modelId: job.modelId, reason: err.message };
        return null;
      });
    const result = await convertIfc(
      // Fragments is a job of its own (kind 'fragments'), queued once the model is ready for the map.
      {
        ifcPath,
        outDir: job.outDir,
        ...(job.fallback ? { fallback: job.fallback } : {}),
        ...(job.farFromProjectM !== undefined ? { farFromProjectM: job.farFromProjectM } : {}),
        api,
        ...(session ? { session } : {}),
        skipFragments: true,
      },
      {
        progress(stage, pct) {
          // Throttled here too, so a fast stage does not flood the IPC channel.
          const now = Date.now();
          if (stage === lastStage && now - lastSent < 200 && pct < 100) return;
          lastStage = stage;
          lastSent = now;
          void send({ type: 'progress', modelId: job.modelId, stage, pct: Math.round(pct * 10) / 10 });
        },
        async elements(batch) {
          // Up to ELEMENTS_IN_FLIGHT batches unacknowledged: the server stores them while this process goes on with
          // geometry and tiles; past that the conversion waits for the oldest ack (back-pressure, bounded memory).
          while (inFlight.size >= ELEMENTS_IN_FLIGHT) await Promise.race(inFlight);
          const s = ++seq;
          const acked = new Promise<void>((resolve) => acks.set(s, resolve));
          inFlight.add(acked);
          void acked.then(() => inFlight.delete(acked));
          // Not awaited: while the server is busy storing an earlier batch it does not read the channel, and waiting
          // for this write would stall the meshing too. The message waits in this process's queue instead (bounded by
          // the window above); a broken channel ends the process ('disconnect').
          send({ type: 'elements', modelId: job.modelId, seq: s, batch }).catch(() => {});
        },
      },
    );
    // `done` follows the last batch without waiting for its ack: the server stores the rows still in flight before it
    // makes the model ready, while this process goes on into the Fragments job (`then`) or the server queues it.
    if (session) held = { modelId: job.modelId, session };
    session = null;
    next = then && !noFragments && noThen !== job.modelId ? then : undefined;
    await send({
      type: 'done',
      modelId: job.modelId,
      result,
      ...(noFragments ? { fragmentsSkipped: noFragments } : {}),
      ...(next ? { continues: true } : {}),
    });
  } catch (err) {
    next = undefined;
    session?.close();
    const known = err instanceof ConversionError;
    const message = known ? err.message : `Conversion failed: ${(err as Error)?.message ?? String(err)}`;
    await send({
      type: 'failed',
      modelId: job.modelId,
      code: known ? ErrorCode.UNPROCESSABLE : ErrorCode.INTERNAL,
      message,
      ...(known && err.problem ? { problem: err.problem } : {}),
    });
    // After an unexpected error web-ifc's state is not to be trusted: start afresh with the next job.
    if (!known) process.exit(3);
  }
  if (next) await run(next);
}

process.on('message', (m: ToWorker) => {
  if (m.type === 'ack') {
    acks.get(m.seq)?.();
    acks.delete(m.seq);
  } else if (m.type === 'noThen') noThen = m.modelId;
  else if (m.type === 'job') void run(m.job, m.then);
});
process.on('disconnect', () => process.exit(0));
void send({ type: 'ready' });
// The first model's session finds its web-ifc started (TwinSession.prepare; again after each Fragments job).
if (SHARED_PARSE) TwinSession.prepare();
