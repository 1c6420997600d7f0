export * from './pki.js';
export * from './tokens.js';
export * from './authenticate.js';
export * from './kubeconfig.js';
export {
  type CertAndKeyPem,
  type CertAuthority,
  type CertUsage,
  type LeafProfile,
  issueLeafCert,
  createCertAuthority,
} from './certs.js';
export { keyIdFromPublicKey } from './keys.js';
