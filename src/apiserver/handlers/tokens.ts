// The token operations handlers need (TokenRequest, TokenReview), implemented over ../auth by the server.
import type { UserInfo } from '../auth/index.js';
import type { KubeObject } from '../types.js';

export interface BoundObject {
  kind: string;
  apiVersion?: string;
  name: string;
  uid: string;
}

export interface TokenService {
  issueToken(args: {
    namespace: string;
    serviceAccount: KubeObject;
    audiences: string[];
    expirationSeconds: number;
    boundObject?: BoundObject;
  }): Promise<{ token: string; expirationTimestamp: string }>;
  reviewToken(
    token: string,
    audiences?: string[],
  ): Promise<{ authenticated: boolean; user?: UserInfo; audiences?: string[]; error?: string }>;
}
