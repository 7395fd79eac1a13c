import { DistrictFiguresResponse } from '../District.js';
import { endpoint } from './contract.js';

/** The district layer of the city map (server/http/districtsRouter.ts). */
export const districts = {
  figures: endpoint({
    method: 'get',
    path: '/api/v1/districts/figures',
    summary: "Every district's figures over the projects the requester may read (zeros where it reads none)",
    response: DistrictFiguresResponse,
  }),
};
