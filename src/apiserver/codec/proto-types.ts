// Turns the message declarations into protobufjs reflection types, built once on first use.
import protobuf from 'protobufjs';
import { isScalar, type FieldDef, type MessageDefs } from './schema-dsl.js';
import { metaMessages } from './schema-meta.js';
import { coreMessages } from './schema-core.js';
import { groupMessages } from './schema-groups.js';

export const allMessages: MessageDefs = { ...metaMessages, ...coreMessages, ...groupMessages };

let root: protobuf.Root | undefined;

function protoField(f: FieldDef): protobuf.Field | protobuf.MapField {
  if (f.map) return new protobuf.MapField(f.json, f.id, 'string', f.type);
  return new protobuf.Field(f.json, f.id, f.type, f.repeated ? 'repeated' : 'optional');
}

function buildRoot(): protobuf.Root {
  const r = new protobuf.Root();
  for (const [name, fields] of Object.entries(allMessages)) {
    const t = new protobuf.Type(name);
    for (const f of fields) {
      if (!isScalar(f.type) && !allMessages[f.type])
        throw new Error(`${name}.${f.json}: unknown type ${f.type}`);
      t.add(protoField(f));
    }
    r.add(t);
  }
  r.resolveAll();
  return r;
}

export function protoType(name: string): protobuf.Type {
  root ??= buildRoot();
  return root.lookupType(name);
}
