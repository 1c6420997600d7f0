// The Istio versions and profiles the API accepts. End-of-life names stay in the enums so stored
// objects keep validating; the reconcilers reject them (reference §5.1).

const patches = (minor: string, from: number, to: number): string[] => {
  const out: string[] = [];
  for (let p = to; p >= from; p--) out.push(`v${minor}.${p}`);
  return out;
};

/** The default (newest supported) version. */
export const DEFAULT_VERSION = 'v1.31.0-beta.1';
const MASTER_BUILD = 'v1.32.0-alpha.527f8d6c';

/** Concrete versions, newest first, as IstioRevision.spec.version accepts them. */
export const CONCRETE_VERSIONS: readonly string[] = [
  DEFAULT_VERSION,
  ...patches('1.30', 0, 3),
  ...patches('1.29', 0, 6),
  ...patches('1.28', 0, 10),
  ...patches('1.27', 0, 9),
  ...patches('1.26', 0, 8),
  ...patches('1.25', 1, 5),
  ...patches('1.24', 0, 6),
  ...patches('1.23', 2, 6),
  ...patches('1.22', 5, 8),
  'v1.21.6',
  MASTER_BUILD,
];

/** Concrete versions with their `vX.Y-latest` aliases and `master`, for Istio and IstioCNI. */
export const ISTIO_VERSIONS: readonly string[] = [
  'v1.31-latest',
  DEFAULT_VERSION,
  'v1.30-latest',
  ...patches('1.30', 0, 3),
  'v1.29-latest',
  ...patches('1.29', 0, 6),
  'v1.28-latest',
  ...patches('1.28', 0, 10),
  'v1.27-latest',
  ...patches('1.27', 0, 9),
  'v1.26-latest',
  ...patches('1.26', 0, 8),
  'v1.25-latest',
  ...patches('1.25', 1, 5),
  'v1.24-latest',
  ...patches('1.24', 0, 6),
  'v1.23-latest',
  ...patches('1.23', 2, 6),
  'v1.22-latest',
  ...patches('1.22', 5, 8),
  'v1.21.6',
  'master',
  MASTER_BUILD,
];

/** ZTunnel has no releases before 1.24. */
export const ZTUNNEL_VERSIONS: readonly string[] = ISTIO_VERSIONS.filter((v) => !/^v1\.2[123][.-]/.test(v));

export const PROFILES = [
  'ambient',
  'default',
  'demo',
  'empty',
  'external',
  'openshift',
  'openshift-ambient',
  'preview',
  'remote',
  'stable',
] as const;
export type Profile = (typeof PROFILES)[number];
