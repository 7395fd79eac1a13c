import { api } from '../../models/api/index.js';
import type { DistrictFiguresResponse } from '../../models/District.js';
import { restAt } from '../api/ApiClient.js';

/** The district layer's figures over the projects the account reads (`api.districts.figures`). */
export async function fetchDistrictFigures(baseUrl = ''): Promise<DistrictFiguresResponse> {
  return restAt(baseUrl).call(api.districts.figures, { what: 'district figures' });
}
