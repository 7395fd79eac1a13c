import { DistrictFiguresResponse } from '../../models/District.js';
import { getJson, parseAnswer } from '../api/ApiError.js';

/** `GET /api/v1/districts/figures`: the district layer's figures over the projects the account reads. */
export async function fetchDistrictFigures(baseUrl = ''): Promise<DistrictFiguresResponse> {
  return parseAnswer(DistrictFiguresResponse, await getJson(`${baseUrl}/api/v1/districts/figures`), 'district figures');
}
