// Reading and decoding request bodies: JSON, YAML and the Kubernetes protobuf envelope.
import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { decodeProtobufObject, isProtobufContentType } from '../codec/index.js';
import { badRequest, tooLarge, unsupportedMediaType } from '../errors.js';

/** The apiserver's limit on a request body (MaxRequestBodyBytes). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export const mediaType = (ct: string | undefined): string => (ct ?? '').split(';')[0].trim().toLowerCase();

/** Decodes an object body (create, update, apply, subresource writes). */
export function decodeObject(body: Buffer, contentType: string | undefined): any {
  const mt = mediaType(contentType);
  if (isProtobufContentType(mt)) return decodeProtobufObject(body);
  if (mt === 'application/yaml' || mt === 'application/apply-patch+yaml' || mt === 'text/yaml')
    return parseYaml(body);
  if (mt === '' || mt === 'application/json' || mt === '*/*' || mt.endsWith('+json')) return parseJson(body);
  throw unsupportedMediaType(mt, [
    'application/json',
    'application/yaml',
    'application/vnd.kubernetes.protobuf',
  ]);
}

export function parseJson(body: Buffer): any {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty; an object was expected');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

function parseYaml(body: Buffer): any {
  const text = body.toString('utf8');
  // JSON is YAML; parse JSON directly when it looks like JSON for exact number handling.
  if (/^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      /* fall through to YAML */
    }
  }
  const doc = parseDocument(text, { uniqueKeys: true, version: '1.2' });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw badRequest(
      `error converting YAML to JSON: yaml: line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`,
    );
  }
  const value = doc.toJS({ maxAliasCount: 100 });
  if (value === null || typeof value !== 'object') throw badRequest('the request body is not an object');
  return value;
}
