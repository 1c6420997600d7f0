// TokenRequest and TokenReview over the service-account signer, checking that the account and any
// bound object still exist with the uid the token names.
import { authenticateToken, createServiceAccountTokenService, type UserInfo } from './auth/index.js';
import type { TokenService } from './handlers/tokens.js';
import type { Store } from './store/index.js';

export type SaTokenSigner = Awaited<ReturnType<typeof createServiceAccountTokenService>>;

export function lookupsFor(store: Store) {
  const find = (res: string, ns: string, name: string) => {
    const e = store.latest(res, ns, name);
    return e
      ? {
          uid: e.obj.metadata.uid as string,
          deletionTimestamp: e.obj.metadata.deletionTimestamp as string | undefined,
        }
      : undefined;
  };
  return {
    serviceAccount: (ns: string, name: string) => find('serviceaccounts', ns, name),
    pod: (ns: string, name: string) => find('pods', ns, name),
    node: (name: string) => find('nodes', '', name),
    secret: (ns: string, name: string) => {
      const e = store.latest('secrets', ns, name);
      if (!e) return undefined;
      const token = e.obj.data?.token ? Buffer.from(e.obj.data.token, 'base64').toString('utf8') : undefined;
      return {
        uid: e.obj.metadata.uid as string,
        deletionTimestamp: e.obj.metadata.deletionTimestamp as string | undefined,
        token,
      };
    },
  };
}

export function createTokenService(signer: SaTokenSigner, store: Store): TokenService {
  const lookup = lookupsFor(store);
  return {
    async issueToken({ namespace, serviceAccount, audiences, expirationSeconds, boundObject }) {
      const sa = { name: serviceAccount.metadata.name!, uid: serviceAccount.metadata.uid! };
      const bound = boundObject ? { name: boundObject.name, uid: boundObject.uid } : undefined;
      const issued = await signer.issueServiceAccountToken({
        namespace,
        serviceAccount: sa,
        audiences,
        expirationSeconds,
        pod: boundObject?.kind === 'Pod' ? bound : undefined,
        secret: boundObject?.kind === 'Secret' ? bound : undefined,
        node: boundObject?.kind === 'Node' ? bound : undefined,
      });
      return {
        token: issued.token,
        expirationTimestamp: issued.expirationTimestamp.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      };
    },
    async reviewToken(token: string, audiences?: string[]) {
      const wanted = audiences && audiences.length > 0 ? audiences : undefined;
      const r = await authenticateToken(token, { tokens: signer, lookup }, wanted);
      if (!r.ok) return { authenticated: false, error: r.reason };
      return { authenticated: true, user: r.user as UserInfo, audiences: r.audiences };
    },
  };
}
