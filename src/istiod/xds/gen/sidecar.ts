// The generator for Envoy sidecars: full CDS/LDS for wildcard watches, named EDS/RDS.
import type { Proxy } from '../model.js';
import { TypeUrl } from '../proto.js';
import { sidecarClusters } from './clusters.js';
import { loadAssignments } from './endpoints.js';
import { sidecarListeners } from './listeners.js';
import { sidecarRoutes } from './routes.js';
import { filterByNames, type GenerateRequest, type Generator, type XdsResource } from './types.js';

export const sidecarGenerator: Generator = {
  generate(proxy: Proxy, typeUrl: string, { push, names }: GenerateRequest): XdsResource[] | undefined {
    switch (typeUrl) {
      case TypeUrl.cluster:
        return filterByNames(sidecarClusters(push, proxy), names);
      case TypeUrl.endpoint:
        return loadAssignments(push, names);
      case TypeUrl.listener:
        return filterByNames(sidecarListeners(push, proxy), names);
      case TypeUrl.route:
        return sidecarRoutes(push, proxy.namespace, names);
    }
    return undefined;
  },
};
