// istio/api security/v1alpha1/ca.proto, the one Istio service declared in the product, as a protobufjs
// JSON descriptor (so nothing but compiled JS has to ship). Field numbers are the wire contract.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

export const CA_SERVICE_NAME = 'istio.v1.auth.IstioCertificateService';
export const CREATE_CERTIFICATE_PATH = `/${CA_SERVICE_NAME}/CreateCertificate`;

const structProto = protobuf.common.get('google/protobuf/struct.proto') as any;

const descriptor: protobuf.INamespace = {
  nested: {
    istio: {
      nested: {
        v1: {
          nested: {
            auth: {
              nested: {
                IstioCertificateRequest: {
                  fields: {
                    csr: { type: 'string', id: 1 },
                    validity_duration: { type: 'int64', id: 3 },
                    metadata: { type: 'google.protobuf.Struct', id: 4 },
                  },
                },
                IstioCertificateResponse: {
                  fields: { cert_chain: { rule: 'repeated', type: 'string', id: 1 } },
                },
                IstioCertificateService: {
                  methods: {
                    CreateCertificate: {
                      requestType: 'IstioCertificateRequest',
                      responseType: 'IstioCertificateResponse',
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    google: structProto.nested.google,
  },
};

export interface IstioCertificateRequest {
  csr: string;
  /** Seconds; proto-loader hands int64 over as a string (longs: String). */
  validity_duration: string;
  metadata?: { fields?: Record<string, unknown> } | null;
}

export interface IstioCertificateResponse {
  cert_chain: string[];
}

let cached: grpc.GrpcObject | undefined;

function loaded(): grpc.GrpcObject {
  cached ??= grpc.loadPackageDefinition(
    protoLoader.fromJSON(descriptor, { longs: String, defaults: true, oneofs: true }),
  );
  return cached;
}

type ServiceCtor = grpc.ServiceClientConstructor;

export function caServiceDefinition(): grpc.ServiceDefinition {
  return ((loaded() as any).istio.v1.auth.IstioCertificateService as ServiceCtor).service;
}

/** A client constructor for the CA service (for the proxy agent and for tests). */
export function caClientConstructor(): ServiceCtor {
  return (loaded() as any).istio.v1.auth.IstioCertificateService as ServiceCtor;
}
