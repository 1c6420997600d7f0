import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthenticationError, bearerToken, identityFromUsername, tokenReviewAuthenticator } from './authn.js';
import { FakeKube } from './ca-fixtures.js';

test('bearer tokens and service-account user names are parsed strictly', () => {
  assert.equal(bearerToken('Bearer abc.def'), 'abc.def');
  assert.throws(() => bearerToken(undefined), AuthenticationError);
  assert.throws(() => bearerToken('Basic xyz'), /not of the form "Bearer <token>"/);
  assert.deepEqual(identityFromUsername('system:serviceaccount:bookinfo:reviews'), {
    namespace: 'bookinfo',
    serviceAccount: 'reviews',
    username: 'system:serviceaccount:bookinfo:reviews',
  });
  assert.throws(() => identityFromUsername('system:serviceaccount:bookinfo'), /malformed/);
  assert.throws(() => identityFromUsername('system:node:n1'), /not to a service account/);
});

test('the TokenReview asks for audience istio-ca; the default audience is accepted only when allowed', async () => {
  const kube = new FakeKube();
  const seen: any[] = [];
  kube.tokenReview = (spec) => {
    seen.push(spec);
    return spec.audiences
      ? { authenticated: false, error: 'token audiences ["https://kubernetes.default.svc"] are invalid' }
      : { authenticated: true, user: { username: 'system:serviceaccount:a:b' } };
  };
  await assert.rejects(
    tokenReviewAuthenticator({ client: kube })('Bearer t'),
    /not accepted for audience istio-ca: token audiences/,
  );
  assert.deepEqual(seen[0], { token: 't', audiences: ['istio-ca'] });
  const id = await tokenReviewAuthenticator({ client: kube, allowDefaultAudience: true })('Bearer t');
  assert.equal(id.serviceAccount, 'b');
});
