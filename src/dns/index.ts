export { startDnsServer, type DnsServer, type DnsServerOptions, type DnsListen } from './server.js';
export { kubeDnsSource, MemoryDnsSource, type DnsSource, type DnsWatch } from './source.js';
export {
  ClusterState,
  parseService,
  parseEndpointSlice,
  parsePod,
  type DnsKind,
  type ServiceInfo,
  type SliceInfo,
  type EndpointInfo,
  type PodInfo,
  type PortInfo,
} from './cluster-state.js';
export { buildZone, Zone, SCHEMA_VERSION, type PodMode, type ZoneOptions } from './zone.js';
export { resolve, type Answer, type ResolveOptions } from './resolver.js';
export { handleQuery, type HandleOptions } from './handler.js';
export {
  encodeMessage,
  decodeMessage,
  RRType,
  RCode,
  type Message,
  type Question,
  type Record,
} from './wire.js';
export { reverseName, dashedIp, parseDashedIp } from './names.js';
