import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ConversionStage, ModelPatch } from '../../models/BimModel.js';
import { ErrorCode } from '../../models/errors.js';
import { applyGeoreferencePatch, georeferenceMatrix } from '../../models/Georeference.js';
import type { Logger } from '../log.js';
import type { LivePublisher } from '../realtime/LiveHub.js';
import { publicModel, type SourceKind, type StoredModel } from '../store/ModelRepo.js';
import type { Store } from '../store/Store.js';
import { ConversionPool } from './ConversionPool.js';
import type { DemoBuildingOptions } from './pipeline/demoBuilding.js';
import { fragmentsFile, modelDir, modelsRoot, sourceFile, tilesDir, unpackedFile } from './pipeline/files.js';
import { writeTilesetJson, type TilesetJson } from './pipeline/tiler.js';
import type { IfcScheduleResult } from './pipeline/workSchedule.js';
import type { ReceivedFile } from './upload.js';

const PROGRESS_EVERY_MS = 250;
/**
 * Rows per write with the embedded store, at first: each write runs on this event loop (PGlite is wasm in this
 * process), so its size then follows its measured speed, aiming at EMBEDDED_WRITE_MS per write within
 * [EMBEDDED_MIN_ROWS, EMBEDDED_MAX_ROWS] (see onElements). Demo tower rows, COPY straight into the table
 * (bench/elementRows.ts, 2026-11-22, after migration 012): 77-81 us of wall time per row in 250-row chunks, and the first
 * write of a fresh process 281-448 ms (see ModelService.warmUp). /api/health during conversion:
 * tests/server/http/modelsBigUpload.test.ts, bench/ifcHealth.ts.
 */
export const EMBEDDED_INSERT_ROWS = 250;
export const EMBEDDED_WRITE_MS = 50;
const EMBEDDED_MIN_ROWS = 50;
const EMBEDDED_MAX_ROWS = 1000;

export interface ModelServiceOptions {
  dataDir: string;
  workers: number;
  jobTimeoutMs: number;
  /** IFC_FAR_FROM_PROJECT_KM in metres: a model placed farther from its project is flagged in its report. */
  farFromProjectM?: number;
  /** Largest IFC an .ifczip may expand to (MAX_UPLOAD_MB: the same limit as an IFC uploaded as is). */
  maxUnpackedBytes?: number;
  /** IFC_CONVERT_MAX_MB in bytes: a larger plain IFC fails with `too_large` before web-ifc reads it. */
  maxConvertBytes?: number;
  /** IFC_FRAGMENTS_MAX_MB in bytes: a larger plain IFC gets the map twin and no Fragments file (`too_large_for_fragments`). */
  maxFragmentsBytes?: number;
  /** IFC_WORKER_EAGER_WASM: the workers compile web-ifc optimised at start (see WorkerStartOptions.eagerWasm). */
  eagerWasm?: boolean;
}

/**
 * Owns the life of uploaded models on the main thread: records them, queues their conversion, stores what the worker
 * sends (progress, element batches, the result), pushes changes on `/live`, re-places and deletes them. The heavy work
 * happens in the worker processes of {@link ConversionPool}; nothing here parses IFC.
 */
export class ModelService {
  private readonly pool: ConversionPool;
  private readonly lastProgress = new Map<string, { at: number; stage: ConversionStage }>();
  /** Rows in the next embedded write (adapts to the measured write speed). */
  private embeddedRows = EMBEDDED_INSERT_ROWS;
  /** The last progress write of each converting model (they are chained, so awaiting it awaits them all). */
  private readonly progressWrites = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly live: Pick<LivePublisher, 'publishModel'>,
    private readonly log: Logger,
    private readonly opts: ModelServiceOptions,
  ) {
    this.pool = new ConversionPool(
      opts.workers,
      {
        onProgress: (m) => {
          // One model's progress writes run in order, and `ready` waits for them: a late 'tiles' write would otherwise
          // find the model ready and its push would be skipped (or arrive after model.updated).
          const next = (this.progressWrites.get(m.modelId) ?? Promise.resolve()).then(() =>
            this.progress(m.modelId, m.stage, m.pct),
          );
          this.progressWrites.set(m.modelId, next);
        },
        onElements: async (m) => {
          // The embedded store runs each write synchronously on this event loop (PGlite is wasm in this process):
          // writes of about EMBEDDED_WRITE_MS with a turn of the loop between them keep /api/health and the live push
          // answering during a big model's index. PostgreSQL runs them elsewhere, so there the batch goes in one write.
          if (this.store.kind !== 'embedded') return void (await this.store.elements.insertBatch(m.modelId, m.batch));
          for (let i = 0; i < m.batch.length;) {
            // A real turn of the loop before every write, the first of a batch too: batches that queued up while the
            // previous one was written are chained in promise callbacks, which would otherwise run back to back
            // without letting a timer or a request in (bench/ifcHealth.ts saw 100-350 ms gaps once 500-row writes
            // took 20-50 ms each).
            await new Promise<void>((r) => setImmediate(r));
            const rows = m.batch.slice(i, i + this.embeddedRows);
            const t0 = performance.now();
            await this.store.elements.insertBatch(m.modelId, rows);
            const ms = performance.now() - t0;
            i += rows.length;
            // Only a full write says how fast a write of this size is.
            if (rows.length === this.embeddedRows) {
              const next = Math.round((rows.length * EMBEDDED_WRITE_MS) / Math.max(ms, 1));
              this.embeddedRows = Math.min(
                EMBEDDED_MAX_ROWS,
                Math.max(EMBEDDED_MIN_ROWS, Math.min(next, rows.length * 2)),
              );
            }
          }
        },
        onDone: async (m) => {
          await this.progressWrites.get(m.modelId);
          this.progressWrites.delete(m.modelId);
          const model = await this.store.models.setReady(m.modelId, m.result);
          this.lastProgress.delete(m.modelId);
          if (model) {
            this.log.info(
              {
                modelId: m.modelId,
                projectId: model.projectId,
                elements: m.result.report.elementCount,
                ms: m.result.report.durationMs,
              },
              'ifc: model ready',
            );
            if (m.fragmentsSkipped) {
              // Past IFC_FRAGMENTS_MAX_MB: the map twin is complete, the workspace file is not built (and says why).
              const skipped = await this.store.models.setFragments(m.modelId, {
                status: 'failed',
                error: {
                  code: ErrorCode.UNPROCESSABLE,
                  message: m.fragmentsSkipped,
                  problem: 'too_large_for_fragments',
                },
              });
              this.log.warn({ modelId: m.modelId, projectId: model.projectId }, m.fragmentsSkipped);
              this.live.publishModel({ type: 'model.updated', model: publicModel(skipped ?? model) });
              return;
            }
            this.live.publishModel({ type: 'model.updated', model: publicModel(model) });
            // The map has the model now; the workspace's .frag follows in a job of its own.
            this.enqueueFragments(model);
          }
        },
        onFragments: async (m) => {
          const model = await this.store.models.setFragments(m.modelId, { status: 'ready', bytes: m.bytes });
          if (model) {
            this.log.info({ modelId: m.modelId, projectId: model.projectId, bytes: m.bytes }, 'ifc: fragments ready');
            for (const w of m.warnings ?? []) this.log.warn({ modelId: m.modelId, projectId: model.projectId }, w);
            this.live.publishModel({ type: 'model.updated', model: publicModel(model) });
          }
        },
        onFailed: async (job, code, message, problem) => {
          const modelId = job.modelId;
          await this.progressWrites.get(modelId);
          this.progressWrites.delete(modelId);
          this.removeOutputs(modelId, job.kind === 'fragments' ? 'fragments' : 'all');
          if (job.kind === 'fragments') {
            // The map twin stays usable without the workspace file: only the Fragments state fails.
            const model = await this.store.models.setFragments(modelId, {
              status: 'failed',
              error: { code, message, ...(problem ? { problem } : {}) },
            });
            if (model) {
              this.log.warn({ modelId, projectId: model.projectId, code, reason: message }, 'ifc: fragments failed');
              this.live.publishModel({ type: 'model.updated', model: publicModel(model) });
            }
            return;
          }
          this.lastProgress.delete(modelId);
          const model = await this.store.models.setFailed(modelId, { code, message, ...(problem ? { problem } : {}) });
          if (model) {
            this.log.warn({ modelId, projectId: model.projectId, code, reason: message }, 'ifc: conversion failed');
            this.live.publishModel({ type: 'model.updated', model: publicModel(model) });
          }
        },
      },
      log,
      { jobTimeoutMs: opts.jobTimeoutMs, eagerWasm: opts.eagerWasm },
    );
  }

  /**
   * With the embedded store: runs the element write path once on synthetic rows that are rolled back (see
   * ElementRepo.warmUp), so the first model indexed after a start does not pay PGlite's cold wasm. Called once at start,
   * in the background. Does nothing on PostgreSQL.
   */
  async warmUp(): Promise<void> {
    if (this.store.kind !== 'embedded') return;
    const ms = await this.store.elements.warmUp();
    this.log.info({ ms: Math.round(ms) }, 'ifc: element write path warmed up');
  }

  /**
   * Removes what a failed job leaves in the model folder: a half-written .frag, or (map job) the unpacked IFC of a zip,
   * the tiles and the .frag. The upload itself stays (bounded by MAX_UPLOAD_MB; DELETE removes it with the model).
   */
  private removeOutputs(modelId: string, what: 'fragments' | 'all'): void {
    const dir = this.dirOf(modelId);
    const paths = what === 'fragments' ? [fragmentsFile(dir)] : [unpackedFile(dir), tilesDir(dir), fragmentsFile(dir)];
    for (const p of paths) {
      try {
        rmSync(p, { recursive: true, force: true });
      } catch (err) {
        this.log.warn({ err, modelId, path: p }, 'ifc: could not remove the output of a failed job');
      }
    }
  }

  /** Reads the IfcWorkSchedule of a model's plain IFC (`path`) in a conversion worker: the 4D schedule-from-IFC import. */
  readSchedule(modelId: string, path: string): Promise<IfcScheduleResult> {
    return this.pool.readSchedule(modelId, path);
  }

  /** Where uploads land before they have a model id. */
  get incomingDir(): string {
    return join(modelsRoot(this.opts.dataDir), '_incoming');
  }

  dirOf(modelId: string): string {
    return modelDir(this.opts.dataDir, modelId);
  }

  /** Records an accepted upload, moves it into its model folder and queues its conversion. */
  async accept(projectId: string, file: ReceivedFile, kind: SourceKind): Promise<StoredModel> {
    const id = randomUUID();
    const dir = this.dirOf(id);
    mkdirSync(dir, { recursive: true });
    renameSync(file.path, sourceFile(dir, kind));
    let model: StoredModel;
    try {
      model = await this.store.models.create({
        id,
        projectId,
        fileName: file.fileName,
        fileBytes: file.bytes,
        sourceKind: kind,
      });
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    this.log.info({ modelId: id, projectId, bytes: file.bytes, kind }, 'ifc: model uploaded');
    this.live.publishModel({ type: 'model.updated', model: publicModel(model) });
    await this.enqueue(model);
    return model;
  }

  /**
   * Records a model whose IFC the worker generates (a demo building) and queues it: the generation runs in the worker
   * process too, so seeding never blocks the server.
   */
  async acceptGenerated(projectId: string, fileName: string, generate: DemoBuildingOptions): Promise<StoredModel> {
    const id = randomUUID();
    mkdirSync(this.dirOf(id), { recursive: true });
    const model = await this.store.models.create({
      id,
      projectId,
      fileName,
      fileBytes: 0,
      sourceKind: 'ifc',
      generator: { ...generate },
    });
    this.live.publishModel({ type: 'model.updated', model: publicModel(model) });
    await this.enqueue(model, generate);
    return model;
  }

  private async enqueue(model: StoredModel, generate?: DemoBuildingOptions): Promise<void> {
    const project = await this.store.projects.get(model.projectId);
    this.pool.enqueue({
      ...(generate ? { generate } : {}),
      modelId: model.id,
      sourcePath: sourceFile(this.dirOf(model.id), model.sourceKind),
      sourceKind: model.sourceKind,
      outDir: this.dirOf(model.id),
      ...(this.opts.maxUnpackedBytes ? { maxUnpackedBytes: this.opts.maxUnpackedBytes } : {}),
      ...this.sizeLimits(),
      ...(project ? { fallback: project.location } : {}),
      ...(this.opts.farFromProjectM !== undefined ? { farFromProjectM: this.opts.farFromProjectM } : {}),
    });
  }

  /** Queues the Fragments job of a model that is ready for the map, from the plain IFC its map job read. */
  private enqueueFragments(model: StoredModel): void {
    const dir = this.dirOf(model.id);
    this.pool.enqueue({
      kind: 'fragments',
      modelId: model.id,
      sourcePath: model.sourceKind === 'ifczip' ? unpackedFile(dir) : sourceFile(dir, 'ifc'),
      sourceKind: 'ifc',
      outDir: dir,
      ...this.sizeLimits(),
    });
  }

  /** The size bounds a job carries (see pipeline/sizeLimits.ts). */
  private sizeLimits(): { maxConvertBytes?: number; maxFragmentsBytes?: number } {
    return {
      ...(this.opts.maxConvertBytes ? { maxConvertBytes: this.opts.maxConvertBytes } : {}),
      ...(this.opts.maxFragmentsBytes ? { maxFragmentsBytes: this.opts.maxFragmentsBytes } : {}),
    };
  }

  /** Stores and pushes progress, at most every 250 ms per model except on a change of stage. */
  private async progress(modelId: string, stage: ConversionStage, pct: number): Promise<void> {
    const now = Date.now();
    const last = this.lastProgress.get(modelId);
    if (last && last.stage === stage && now - last.at < PROGRESS_EVERY_MS) return;
    this.lastProgress.set(modelId, { at: now, stage });
    try {
      await this.store.models.setProgress(modelId, 'converting', stage, Math.min(100, Math.max(0, pct)));
      const m = await this.store.models.get(modelId);
      if (m && m.status === 'converting') {
        this.live.publishModel({
          type: 'model.progress',
          progress: { modelId, projectId: m.projectId, status: m.status, stage, progressPct: m.progressPct },
        });
      }
    } catch (err) {
      this.log.warn({ err, modelId }, 'ifc: progress not stored');
    }
  }

  /**
   * At start: models left `queued` or `converting` by a stop or a crash are converted again from their upload (their
   * partial element rows are dropped first), a generated model whose file was never written is generated again, and a
   * model whose upload is gone is failed. Ready models whose Fragments job did not finish get it queued again.
   */
  async recover(): Promise<number> {
    const stale = await this.store.models.listByStatus(['queued', 'converting']);
    let requeued = 0;
    for (const m of stale) {
      const hasSource = existsSync(sourceFile(this.dirOf(m.id), m.sourceKind));
      if (hasSource || m.generator) {
        await this.store.elements.deleteModel(m.id);
        await this.store.models.setProgress(m.id, 'queued', 'queued', 0);
        mkdirSync(this.dirOf(m.id), { recursive: true });
        await this.enqueue(m, hasSource ? undefined : (m.generator as unknown as DemoBuildingOptions));
        requeued++;
      } else {
        await this.store.models.setFailed(m.id, {
          code: ErrorCode.INTERNAL,
          message: 'The server stopped during the conversion and the upload is gone: upload the file again',
        });
      }
    }
    const noFragments = await this.store.models.listFragmentsPending();
    for (const m of noFragments) this.enqueueFragments(m);
    if (stale.length || noFragments.length)
      this.log.info(
        { requeued, failed: stale.length - requeued, fragments: noFragments.length },
        'ifc: recovered unfinished conversions',
      );
    return requeued;
  }

  /** Renames and/or re-places a model. A new georeference rewrites only the tileset root transform. */
  async patch(model: StoredModel, patch: ModelPatch): Promise<StoredModel> {
    if (patch.fileName) await this.store.models.rename(model.id, patch.fileName);
    if (patch.georeference) {
      if (!model.georeference) throw Object.assign(new Error('not placed yet'), { notReady: true });
      const next = applyGeoreferencePatch(model.georeference, patch.georeference);
      const dir = tilesDir(this.dirOf(model.id));
      const tileset = JSON.parse(readFileSync(join(dir, 'tileset.json'), 'utf8')) as TilesetJson;
      writeTilesetJson(dir, tileset, georeferenceMatrix(next));
      await this.store.models.setGeoreference(model.id, next);
      this.log.info({ modelId: model.id, projectId: model.projectId, georef: next }, 'ifc: model re-placed');
    }
    const updated = (await this.store.models.get(model.id))!;
    this.live.publishModel({ type: 'model.updated', model: publicModel(updated) });
    return updated;
  }

  /** Stops a running conversion, deletes the rows and the files. */
  async delete(model: StoredModel): Promise<void> {
    this.pool.cancel(model.id);
    await this.store.models.delete(model.id);
    rmSync(this.dirOf(model.id), { recursive: true, force: true });
    this.log.info({ modelId: model.id, projectId: model.projectId }, 'ifc: model deleted');
    this.live.publishModel({ type: 'model.deleted', modelId: model.id, projectId: model.projectId });
  }

  /** Conversions waiting or running. */
  get pending(): number {
    return this.pool.pending;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
