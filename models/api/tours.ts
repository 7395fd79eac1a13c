import { z } from 'zod';
import { Tour, TourCreate, TourPatch } from '../Tour.js';
import { endpoint } from './contract.js';

/** Tours: saved or generated (`default-city`, `default-<projectId>`); `/tours/:id` serves both kinds. */
export const tours = {
  listCity: endpoint({
    method: 'get',
    path: '/api/v1/tours',
    summary: 'City tours (the generated one when none is saved)',
    response: z.array(Tour),
  }),
  createCity: endpoint({
    method: 'post',
    path: '/api/v1/tours',
    summary: 'Save a city tour',
    body: TourCreate,
    response: Tour,
    status: [201],
  }),
  listOfProject: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/tours',
    summary: "A project's tours (the generated one when none is saved)",
    response: z.array(Tour),
  }),
  createOfProject: endpoint({
    method: 'post',
    path: '/api/v1/projects/:id/tours',
    summary: 'Save a project tour',
    body: TourCreate,
    response: Tour,
    status: [201],
  }),
  get: endpoint({ method: 'get', path: '/api/v1/tours/:id', summary: 'One tour by its shareable id', response: Tour }),
  update: endpoint({
    method: 'patch',
    path: '/api/v1/tours/:id',
    summary: 'Change a saved tour',
    body: TourPatch,
    response: Tour,
  }),
  delete: endpoint({ method: 'delete', path: '/api/v1/tours/:id', summary: 'Delete a saved tour', status: [204] }),
};
