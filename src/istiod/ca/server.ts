// The CA's gRPC face: IstioCertificateService/CreateCertificate on @grpc/grpc-js, over TLS (istiod's
// port 15012) or plain text (tests, and upstream's 15010).
import * as grpc from '@grpc/grpc-js';
import { type CaBundle, CsrError, signCsr, spiffeId } from './authority.js';
import { type Authenticator, AuthenticationError } from './authn.js';
import { caServiceDefinition, type IstioCertificateRequest, type IstioCertificateResponse } from './proto.js';

export interface CaServiceOptions {
  /** The current bundle, or the reason there is none (broken plug-in material, still loading). */
  bundle: () => CaBundle | Error;
  authenticate: Authenticator;
  trustDomain: string;
  maxTtlSeconds?: number;
  defaultTtlSeconds?: number;
  log?: (msg: string) => void;
}

function fail(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

export function caServiceHandlers(opts: CaServiceOptions): grpc.UntypedServiceImplementation {
  const CreateCertificate = (
    call: grpc.ServerUnaryCall<IstioCertificateRequest, IstioCertificateResponse>,
    callback: grpc.sendUnaryData<IstioCertificateResponse>,
  ): void => {
    void (async () => {
      const auth = call.metadata.get('authorization')[0];
      let caller;
      try {
        caller = await opts.authenticate(typeof auth === 'string' ? auth : auth?.toString('utf8'));
      } catch (err) {
        const why = err instanceof AuthenticationError ? err.message : `unexpected error: ${String(err)}`;
        opts.log?.(`CreateCertificate from ${call.getPeer()}: request authenticate failure: ${why}`);
        return callback(fail(grpc.status.UNAUTHENTICATED, `request authenticate failure: ${why}`));
      }
      const bundle = opts.bundle();
      if (bundle instanceof Error)
        return callback(
          fail(grpc.status.UNAVAILABLE, `the CA is not serving certificates: ${bundle.message}`),
        );
      const identity = spiffeId(opts.trustDomain, caller.namespace, caller.serviceAccount);
      try {
        const chain = await signCsr(bundle, {
          csrPem: call.request.csr ?? '',
          identity,
          ttlSeconds: Number(call.request.validity_duration ?? 0),
          maxTtlSeconds: opts.maxTtlSeconds,
          defaultTtlSeconds: opts.defaultTtlSeconds,
        });
        callback(null, { cert_chain: chain });
      } catch (err) {
        if (err instanceof CsrError) return callback(fail(grpc.status.INVALID_ARGUMENT, err.message));
        opts.log?.(`CreateCertificate for ${identity}: ${String(err)}`);
        callback(fail(grpc.status.INTERNAL, `failed to sign the certificate: ${(err as Error).message}`));
      }
    })();
  };
  return { CreateCertificate };
}

/** Adds the CA service to an existing server (e.g. the xDS server on 15012). */
export function addCaService(server: grpc.Server, opts: CaServiceOptions): void {
  server.addService(caServiceDefinition(), caServiceHandlers(opts));
}

export interface CaServerOptions extends CaServiceOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Serving cert chain and key (PEM); absent means plain text. */
  tls?: { certChainPem: string; keyPem: string };
}

export interface CaServer {
  server: grpc.Server;
  port: number;
  close(): Promise<void>;
}

export async function createCaServer(opts: CaServerOptions): Promise<CaServer> {
  const server = new grpc.Server();
  addCaService(server, opts);
  const creds = opts.tls
    ? grpc.ServerCredentials.createSsl(
        null,
        [{ cert_chain: Buffer.from(opts.tls.certChainPem), private_key: Buffer.from(opts.tls.keyPem) }],
        false,
      )
    : grpc.ServerCredentials.createInsecure();
  const host = opts.host ?? '127.0.0.1';
  const address = host.includes(':') ? `[${host}]:${opts.port}` : `${host}:${opts.port}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Open calls must not hold a shutdown forever.
        setTimeout(() => server.forceShutdown(), 2000).unref();
      }),
  };
}
