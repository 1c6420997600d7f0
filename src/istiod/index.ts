// istiod: the control plane. Its parts are exported by area while the istiod process that joins
// them (service registry, config store, push triggers) is being built.
export * as ca from './ca/index.js';
export * as inject from './inject/index.js';
export * as xds from './xds/index.js';
export * as server from './server/index.js';
