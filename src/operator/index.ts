// The Sail Operator: its API (CRDs generated from one declaration per kind) and the pure rendering
// of Istio, IstioRevision, IstioRevisionTag, IstioCNI and ZTunnel into Kubernetes objects.
export * as api from './api/index.js';
export * as render from './render/index.js';
export * as controller from './controller/index.js';
