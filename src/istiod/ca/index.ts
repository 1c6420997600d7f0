export {
  type CaBundle,
  type CaPem,
  type SignRequest,
  CsrError,
  DEFAULT_WORKLOAD_TTL_SECONDS,
  MAX_WORKLOAD_TTL_SECONDS,
  SELF_SIGNED_ROOT_DAYS,
  createSelfSignedRoot,
  issueServingCert,
  loadCaBundle,
  signCsr,
  splitPemCerts,
  spiffeId,
} from './authority.js';
export {
  type Authenticator,
  type CallerIdentity,
  type TokenReviewOptions,
  AuthenticationError,
  DEFAULT_TOKEN_AUDIENCES,
  tokenReviewAuthenticator,
} from './authn.js';
export {
  PLUGIN_SECRET,
  SELF_SIGNED_SECRET,
  SELF_SIGNED_SECRET_TYPE,
  loadKeyMaterial,
} from './key-material.js';
export {
  type LabelSelector,
  type LabelSelectorRequirement,
  matchesLabelSelector,
  namespaceDiscovered,
  wantsRootCert,
} from './namespace-selection.js';
export {
  CA_SERVICE_NAME,
  CREATE_CERTIFICATE_PATH,
  type IstioCertificateRequest,
  type IstioCertificateResponse,
  caClientConstructor,
  caServiceDefinition,
} from './proto.js';
export {
  ROOT_CERT_CONFIGMAP,
  ROOT_CERT_KEY,
  RootCertPublisher,
  type RootCertPublisherOptions,
} from './root-publisher.js';
export {
  type CaServer,
  type CaServerOptions,
  type CaServiceOptions,
  addCaService,
  caServiceHandlers,
  createCaServer,
} from './server.js';
export {
  type CaStatus,
  type RunningCa,
  type StartCaOptions,
  DEFAULT_CA_TLS_PORT,
  DEFAULT_TRUST_DOMAIN,
  servingDnsNames,
  startCa,
} from './start.js';
