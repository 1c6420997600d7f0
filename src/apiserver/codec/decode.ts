// Decodes request bodies in the Kubernetes protobuf envelope, which kubectl's generator commands
// (create configmap/deployment/…, create token, auth can-i, auth whoami) send because client-go's
// typed clients default to protobuf. The envelope is the 4-byte magic "k8s\0" followed by a
// runtime.Unknown message whose typeMeta names the kind and whose raw field holds the object.
import { StatusError, badRequest, internalError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { messageJson } from './json-render.js';
import { protoType } from './proto-types.js';
import { protobufKinds } from './schema-groups.js';
import { checkWire, WireError } from './wire-check.js';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** True for `application/vnd.kubernetes.protobuf`, with or without parameters. */
export function isProtobufContentType(ct: string): boolean {
  return (ct ?? '').split(';')[0].trim().toLowerCase() === PROTOBUF_CONTENT_TYPE;
}

/** The kinds accepted in protobuf, as "apiVersion/Kind". */
export const supportedProtobufKinds: readonly string[] = Object.keys(protobufKinds);

function unsupportedKind(apiVersion: string, kind: string): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in protobuf for kind ${kind} (${apiVersion}), but this server decodes ` +
      `protobuf only for the kinds kubectl's generator commands send (${supportedProtobufKinds.join(', ')}); ` +
      `send this object as JSON or YAML instead (for example with kubectl create -f)`,
    { kind },
  );
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

function readEnvelope(body: Buffer): Envelope {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw badRequest(
      'the request body is not a Kubernetes protobuf message: it does not start with the "k8s\\x00" prefix',
    );
  }
  const payload = body.subarray(MAGIC.length);
  try {
    checkWire('Unknown', payload);
  } catch (e) {
    if (e instanceof WireError)
      throw badRequest(`the protobuf envelope (runtime.Unknown) is malformed: ${e.message}`);
    throw e;
  }
  const u = protoType('Unknown').decode(payload) as unknown as Record<string, any>;
  return {
    apiVersion: String(u.typeMeta?.apiVersion ?? ''),
    kind: String(u.typeMeta?.kind ?? ''),
    raw: (u.raw as Uint8Array | undefined) ?? new Uint8Array(0),
    contentEncoding: String(u.contentEncoding ?? ''),
    contentType: String(u.contentType ?? ''),
  };
}

function decode(body: Buffer): KubeObject {
  const env = readEnvelope(body);
  if (!env.kind)
    throw badRequest('the protobuf envelope does not name the object kind (typeMeta.kind is empty)');
  if (!env.apiVersion)
    throw badRequest(`the protobuf envelope for kind ${env.kind} does not name its apiVersion`);
  if (env.contentEncoding) {
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `protobuf content encoding "${env.contentEncoding}" is not supported`,
    );
  }
  if (env.contentType && !isProtobufContentType(env.contentType)) {
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `the protobuf envelope carries content of type "${env.contentType}"; only ${PROTOBUF_CONTENT_TYPE} is supported inside it`,
    );
  }
  const message = protobufKinds[`${env.apiVersion}/${env.kind}`];
  if (!message) throw unsupportedKind(env.apiVersion, env.kind);
  try {
    checkWire(message, env.raw);
  } catch (e) {
    if (e instanceof WireError) {
      throw badRequest(`the protobuf body for ${env.kind} (${env.apiVersion}) is malformed: ${e.message}`);
    }
    throw e;
  }
  const decoded = protoType(message).decode(env.raw) as unknown as Record<string, any>;
  const fields = messageJson(message, decoded) as Record<string, any>;
  // TypeMeta is inlined first in every Go object; metadata always prints (ObjectMeta is a struct).
  return { kind: env.kind, apiVersion: env.apiVersion, ...fields } as KubeObject;
}

/**
 * Decodes a protobuf request body into the JSON object kubectl would have sent for the same
 * command. Throws only StatusError: 415 for a kind not decoded here, 400 for malformed bytes.
 */
export function decodeProtobufObject(body: Buffer): KubeObject {
  try {
    return decode(body);
  } catch (e) {
    if (e instanceof StatusError) throw e;
    if (e instanceof WireError) throw badRequest(`malformed protobuf body: ${e.message}`);
    throw internalError(`decoding the protobuf body failed: ${(e as Error)?.message ?? String(e)}`);
  }
}
