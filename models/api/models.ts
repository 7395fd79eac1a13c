import { z } from 'zod';
import { BimModel, ElementQuery, ModelElement, ModelPatch, TreeNode } from '../BimModel.js';
import { endpoint } from './contract.js';

/** One page of a model's element index. */
export const ElementPage = z.object({ total: z.number().int(), items: z.array(ModelElement) });

/**
 * IFC models. The upload is a multipart (or raw) file body converted in the background (202 + the model); the
 * outputs (Fragments file, 3D Tiles) are binary files fetched by URL (`urlOf`).
 */
export const models = {
  upload: endpoint({
    method: 'post',
    path: '/api/v1/projects/:id/models',
    summary:
      'Upload an IFC file (multipart/form-data with a file, or a raw body with ?filename=); converted in the background',
    query: z.object({ filename: z.string().optional() }),
    body: z.object({ file: z.string().meta({ format: 'binary' }) }),
    consumes: ['multipart/form-data', 'application/octet-stream'],
    response: BimModel,
    status: [202],
  }),
  listOfProject: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/models',
    summary: "A project's models (any status)",
    response: z.array(BimModel),
  }),
  get: endpoint({
    method: 'get',
    path: '/api/v1/models/:id',
    summary: 'One model with its conversion status',
    response: BimModel,
  }),
  tree: endpoint({
    method: 'get',
    path: '/api/v1/models/:id/tree',
    summary: 'The spatial tree with element counts (null when the file has none)',
    response: TreeNode.nullable(),
  }),
  elements: endpoint({
    method: 'get',
    path: '/api/v1/models/:id/elements',
    summary: 'Elements matching a filter, one page',
    query: ElementQuery,
    response: ElementPage,
  }),
  element: endpoint({
    method: 'get',
    path: '/api/v1/models/:id/elements/:globalId',
    summary: 'One element with its property sets',
    response: ModelElement,
  }),
  update: endpoint({
    method: 'patch',
    path: '/api/v1/models/:id',
    summary: 'Change a model (name, georeference)',
    body: ModelPatch,
    response: BimModel,
  }),
  delete: endpoint({
    method: 'delete',
    path: '/api/v1/models/:id',
    summary: 'Delete a model and its outputs',
    status: [204],
  }),
  fragments: endpoint({
    method: 'get',
    path: '/api/v1/models/:id/model.frag',
    summary: 'The Fragments file (409 until it is built)',
    produces: 'application/octet-stream',
  }),
  tile: endpoint({
    method: 'get',
    path: '/api/v1/models/:id/tiles/:file',
    summary: 'A 3D Tiles file (tileset.json or a .glb)',
    produces: 'application/octet-stream',
  }),
};
