import { endpoint } from './contract.js';

/** Files fetched by URL rather than as JSON: the offline base map layers and the simulated cameras. */
export const basemap = {
  layer: endpoint({
    method: 'get',
    path: '/api/v1/basemap/:file',
    summary: 'An offline base map layer: districts.geojson, coastline.geojson or land.geojson (ETag, 304)',
    produces: 'application/geo+json',
    public: true,
  }),
};

/** The demo's simulated cameras (mounted with the simulator). */
export const simCameras = {
  snapshot: endpoint({
    method: 'get',
    path: '/api/v1/sim/cameras/:id/snapshot.jpg',
    summary: "A simulated camera's current frame",
    produces: 'image/jpeg',
  }),
  mjpeg: endpoint({
    method: 'get',
    path: '/api/v1/sim/cameras/:id/mjpeg',
    summary: "A simulated camera's MJPEG stream",
    produces: 'multipart/x-mixed-replace',
  }),
};
