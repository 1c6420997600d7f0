export {
  decodeProtobufObject,
  isProtobufContentType,
  supportedProtobufKinds,
  PROTOBUF_CONTENT_TYPE,
} from './decode.js';
