// A compact way to write down a Kubernetes protobuf message together with the Go JSON facts that
// decide how its value prints. Field numbers come from k8s.io/api generated.proto; the JSON facts
// (omitempty, pointer, inline) come from the Go struct tags, since proto2 "optional" says nothing
// about them.
//
// Field spec: "jsonName:number:type" then suffix flags:
//   type        string | bool | int32 | int64 | bytes | <MessageName> | map<ValueType> (string keys)
//   []          repeated
//   !           Go tag has no omitempty (zero values print; nil slices, maps and pointers print null)
//   *           Go pointer (presence on the wire matters; absent means nil)
//   ^           Go embedded struct with `json:",inline"`: its fields print in the parent object
// Without `!` the Go tag has omitempty. A non-pointer struct always prints, as encoding/json does.

export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'bytes';

export interface FieldDef {
  json: string;
  id: number;
  /** Scalar name or message name; for maps, the value type. */
  type: string;
  repeated: boolean;
  map: boolean;
  omitempty: boolean;
  pointer: boolean;
  inline: boolean;
}

export type MessageDefs = Record<string, FieldDef[]>;

const scalars = new Set<string>(['string', 'bool', 'int32', 'int64', 'bytes']);

export function isScalar(type: string): type is ScalarType {
  return scalars.has(type);
}

const specRe = /^(\w+):(\d+):(?:map<(\w+)>|(\w+))(\[\])?([!*^]*)$/;

export function parseField(spec: string): FieldDef {
  const m = specRe.exec(spec);
  if (!m) throw new Error(`bad field spec ${spec}`);
  const flags = m[6];
  return {
    json: m[1],
    id: Number(m[2]),
    type: m[3] ?? m[4],
    map: m[3] !== undefined,
    repeated: m[5] !== undefined,
    omitempty: !flags.includes('!'),
    pointer: flags.includes('*'),
    inline: flags.includes('^'),
  };
}

/** Declares messages: each entry is a message name and its fields in Go struct order. */
export function messages(table: Record<string, string[]>): MessageDefs {
  const out: MessageDefs = {};
  for (const [name, specs] of Object.entries(table)) out[name] = specs.map(parseField);
  return out;
}
