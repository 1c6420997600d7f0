import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { XdsServer } from './server.js';
import { TypeUrl } from './proto.js';

const echo = new grpc.Server();
const id = (b: Buffer) => b;
echo.addService(
  {
    Echo: {
      path: '/test.Echo/Echo',
      requestStream: false,
      responseStream: false,
      requestSerialize: id,
      requestDeserialize: id,
      responseSerialize: id,
      responseDeserialize: id,
    },
  },
  {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
      cb(null, Buffer.concat([Buffer.from('echo:'), call.request])),
  },
);
const echoPort = await new Promise<number>((resolve, reject) =>
  echo.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
    e ? reject(e) : resolve(p),
  ),
);

const xds = new XdsServer({ debounceMs: 10, log: process.env.XDS_DEBUG ? console.error : undefined });
xds.update({
  services: [
    { name: 'echo', namespace: 'default', clusterIP: '10.96.0.70', ports: [{ name: 'grpc', port: 7070 }] },
  ],
  endpoints: [
    {
      service: 'echo',
      namespace: 'default',
      ip: '127.0.0.1',
      ports: [{ name: 'grpc', port: echoPort }],
      ready: true,
      labels: { app: 'echo' },
    },
  ],
});
xds.flush();
const xdsPort = await xds.listen(0);
after(async () => {
  echo.forceShutdown();
  await xds.close();
});

test('a proxyless @grpc/grpc-js-xds client resolves xds:/// through our ADS and calls the endpoint', async () => {
  const bootstrap = {
    xds_servers: [
      {
        server_uri: `127.0.0.1:${xdsPort}`,
        channel_creds: [{ type: 'insecure' }],
        server_features: ['xds_v3'],
      },
    ],
    node: {
      id: 'sidecar~127.0.0.1~client-1.default~default.svc.cluster.local',
      metadata: { GENERATOR: 'grpc', NAMESPACE: 'default' },
      locality: {},
    },
  };
  const script = fileURLToPath(new URL('./proxyless-client.js', import.meta.url));
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [script, 'echo.default.svc.cluster.local:7070'],
      {
        env: {
          ...process.env,
          GRPC_TRACE: process.env.XDS_DEBUG ?? '',
          GRPC_VERBOSITY: 'DEBUG',
          GRPC_XDS_BOOTSTRAP_CONFIG: JSON.stringify(bootstrap),
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    );
  });
  assert.match(out, /REPLY echo:hello/);
  const conn = xds.connections().find((c) => c.proxyId === 'client-1.default');
  void conn;
  void TypeUrl;
});
