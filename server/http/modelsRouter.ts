import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ElementQuery, ModelPatch } from '../../models/BimModel.js';
import { ErrorCode } from '../../models/errors.js';
import type { AppContext } from '../context.js';
import { fragmentsFile, tilesDir } from '../ifc/pipeline/files.js';
import type { ModelService } from '../ifc/ModelService.js';
import { sniffFile } from '../ifc/pipeline/sniff.js';
import { receiveUpload } from '../ifc/upload.js';
import { publicModel, type StoredModel } from '../store/ModelRepo.js';
import { AppError, notFound, parseOr400 } from '../errors.js';
import { api } from '../../models/api/index.js';
import { route } from './route.js';

const Id = z.string().uuid();
const TILE_FILE = /^[A-Za-z0-9_-]+\.(glb|json)$/;

/**
 * IFC models: upload (`POST /projects/:id/models`, 202 + id, converted in the background), status, tree, element
 * index, georeference patch, delete, and the outputs (Fragments file and 3D Tiles) as static files.
 */
export function modelsRouter(ctx: AppContext, models: ModelService): Router {
  const r = Router();
  const { store, access, config } = ctx;

  const uuidOr404 = (raw: string | undefined, what: string) => {
    const p = Id.safeParse(raw);
    if (!p.success) throw notFound(what, String(raw));
    return p.data;
  };
  /** Loads a model and checks the caller may do `action` on its project. */
  const load = async (req: Request, action: 'read' | 'update' | 'delete'): Promise<StoredModel> => {
    const id = uuidOr404(req.params.id as string, 'Model');
    const m = await store.models.get(id);
    if (!m) throw notFound('Model', id);
    await access.require(req, action, { type: 'model', id: m.id, projectId: m.projectId });
    return m;
  };
  const requireReady = (m: StoredModel) => {
    if (m.status !== 'ready')
      throw new AppError(
        ErrorCode.CONFLICT,
        `Model ${m.id} is ${m.status}${m.status === 'failed' ? '' : ': try again when it is ready'}`,
        { status: m.status },
      );
  };

  route(r, api.models.upload, async (req, res) => {
    const projectId = uuidOr404(req.params.id, 'Project');
    await access.require(req, 'create', { type: 'model', projectId });
    if (!(await store.projects.get(projectId))) {
      req.resume();
      throw notFound('Project', projectId);
    }
    const file = await receiveUpload(req, models.incomingDir, config.MAX_UPLOAD_MB * 1024 * 1024);
    const sniffed = sniffFile(file.path);
    if (!sniffed.ok) {
      rmSync(file.path, { force: true });
      throw new AppError(ErrorCode.UNPROCESSABLE, sniffed.reason, {
        problem: sniffed.problem,
        fileName: file.fileName,
      });
    }
    const model = await models.accept(projectId, file, sniffed.kind);
    res.status(202).location(`/api/v1/models/${model.id}`).json(publicModel(model));
  });

  route(r, api.models.listOfProject, async (req, res) => {
    const projectId = uuidOr404(req.params.id, 'Project');
    await access.require(req, 'read', { type: 'model', projectId });
    if (!(await store.projects.get(projectId))) throw notFound('Project', projectId);
    res.json((await store.models.listByProject(projectId)).map(publicModel));
  });

  route(r, api.models.get, async (req, res) => {
    res.json(publicModel(await load(req, 'read')));
  });

  route(r, api.models.tree, async (req, res) => {
    const m = await load(req, 'read');
    requireReady(m);
    res.json((await store.models.tree(m.id)) ?? null);
  });

  route(r, api.models.elements, async (req, res) => {
    const m = await load(req, 'read');
    const q = parseOr400(ElementQuery, req.query, 'element query');
    res.json(await store.elements.list(m.id, q));
  });

  route(r, api.models.element, async (req, res) => {
    const m = await load(req, 'read');
    const e = await store.elements.get(m.id, req.params.globalId);
    if (!e) throw notFound('Element', req.params.globalId);
    res.json(e);
  });

  route(r, api.models.update, async (req, res) => {
    const patch = parseOr400(ModelPatch, req.body, 'model patch');
    const m = await load(req, 'update');
    if (patch.georeference) requireReady(m);
    res.json(publicModel(await models.patch(m, patch)));
  });

  route(r, api.models.delete, async (req, res) => {
    const m = await load(req, 'delete');
    await models.delete(m);
    res.status(204).end();
  });

  // With accounts, a model's files belong to its project's tenants: a shared cache (proxy, CDN) must not keep them
  // for the next requester. Without accounts everything is public anyway.
  const scope = config.AUTH === 'on' ? 'private' : 'public';
  const forever = `${scope}, max-age=31536000, immutable`;
  const sendOutput = (res: Response, path: string, type: string, cache: string) =>
    new Promise<void>((resolve, reject) => {
      res.sendFile(path, { headers: { 'Content-Type': type, 'Cache-Control': cache }, dotfiles: 'deny' }, (err) => {
        if (!err) return resolve();
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !res.headersSent)
          reject(new AppError(ErrorCode.NOT_FOUND, 'This output does not exist'));
        else if (res.headersSent) resolve();
        else reject(err);
      });
    });

  route(r, api.models.fragments, async (req, res) => {
    const m = await load(req, 'read');
    requireReady(m);
    // The .frag is built after the model is ready for the map (see FragmentsStatus): 409 until it exists.
    if (m.fragments !== 'ready')
      throw new AppError(
        ErrorCode.CONFLICT,
        m.fragments === 'failed'
          ? `Model ${m.id} has no Fragments file: ${m.fragmentsError?.message ?? 'it could not be built'}`
          : `The Fragments file of model ${m.id} is still being built: try again when fragments is ready`,
        { status: m.status, fragments: m.fragments },
      );
    // A model's outputs never change after conversion (a re-placement only rewrites tileset.json).
    await sendOutput(res, fragmentsFile(models.dirOf(m.id)), 'application/octet-stream', forever);
  });

  route(r, api.models.tile, async (req, res) => {
    const m = await load(req, 'read');
    requireReady(m);
    const file = req.params.file;
    if (!TILE_FILE.test(file)) throw new AppError(ErrorCode.NOT_FOUND, `No tile ${file}`);
    const path = join(tilesDir(models.dirOf(m.id)), file);
    if (file.endsWith('.json'))
      await sendOutput(res, path, 'application/json', scope === 'private' ? 'private, no-cache' : 'no-cache');
    else await sendOutput(res, path, 'model/gltf-binary', forever);
  });

  return r;
}
