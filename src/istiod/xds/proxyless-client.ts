// Child process for the proxyless test: a @grpc/grpc-js-xds client calling `xds:///<target>` once.
// Run as: node proxyless-client.js <target> (GRPC_XDS_BOOTSTRAP_CONFIG set by the parent).
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';

const require = createRequire(import.meta.url);
const xds = require('@grpc/grpc-js-xds');
xds.register();

const target = process.argv[2];
const client = new grpc.Client(`xds:///${target}`, grpc.credentials.createInsecure());
const id = (b: Buffer) => b;
const deadline = new Date(Date.now() + Number(process.env.CALL_TIMEOUT_MS ?? 30_000));
client.makeUnaryRequest(
  '/test.Echo/Echo',
  id,
  id,
  Buffer.from('hello'),
  new grpc.Metadata(),
  { deadline },
  (err, reply) => {
    if (err) {
      console.error(`ERROR ${err.code} ${err.details}`);
      process.exit(1);
    }
    console.log(`REPLY ${reply?.toString()}`);
    process.exit(0);
  },
);
