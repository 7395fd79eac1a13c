export * from './errors.js';
export * from './geo.js';
export * from './Enterprise.js';
export * from './Project.js';
export * from './protocol.js';
export * from './ClientConfig.js';
export * from './geodesy.js';
export * from './Georeference.js';
