import { z } from 'zod';
import { IngestResultSchema, ReadingIn } from '../Reading.js';
import { endpoint } from './contract.js';

export const ingest = {
  submit: endpoint({
    method: 'post',
    path: '/api/v1/ingest',
    summary: 'Submit readings (an array, { readings: [...] }, or one reading); 207 when some were refused',
    body: z.union([z.array(ReadingIn), z.object({ readings: z.array(ReadingIn) }), ReadingIn]),
    response: IngestResultSchema,
    status: [200, 207],
    deviceKey: true,
  }),
};
