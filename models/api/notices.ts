import { NoticeCounts } from '../NoticeCounts.js';
import { endpoint } from './contract.js';

/** Rectification notices as wall figures (issue 16), served by server/http/noticesRouter.ts. */
export const notices = {
  counts: endpoint({
    method: 'get',
    path: '/api/v1/notices/counts',
    summary: 'Open and overdue rectification notices per project, enterprise and district the requester may read',
    response: NoticeCounts,
  }),
};
