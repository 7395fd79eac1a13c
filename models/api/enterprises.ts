import { z } from 'zod';
import { Enterprise, EnterpriseCreate } from '../Enterprise.js';
import { endpoint } from './contract.js';

export const enterprises = {
  list: endpoint({
    method: 'get',
    path: '/api/v1/enterprises',
    summary: 'Enterprises the requester may see',
    response: z.array(Enterprise),
  }),
  get: endpoint({ method: 'get', path: '/api/v1/enterprises/:id', summary: 'One enterprise', response: Enterprise }),
  create: endpoint({
    method: 'post',
    path: '/api/v1/enterprises',
    summary: 'Create an enterprise',
    body: EnterpriseCreate,
    response: Enterprise,
    status: [201],
  }),
};
