// pods/exec over WebSocket (channel protocol v5/v4, as kubectl 1.32 speaks it): each binary message
// starts with its channel — 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, 255 close (v5).
import type { ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { StatusError } from './errors.js';
import type { ApiContext } from './handlers/context.js';
import { chooseContainer } from './handlers/pod-container.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export type PodExecSource = (req: {
  pod: any;
  container: string;
  command: string[];
}) => ChildProcess | undefined;

export class ExecServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });

  constructor(private readonly ctx: ApiContext) {}

  /** Answers an upgrade for …/pods/<name>/exec; throws a StatusError before upgrading when the request is wrong. */
  handle(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    ns: string,
    name: string,
    query: URLSearchParams,
  ): void {
    const pod = this.ctx.store.get('pods', ns, name)?.obj;
    if (!pod) throw new StatusError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
    const container = chooseContainer(pod, query.get('container'));
    const command = query.getAll('command');
    if (command.length === 0) throw new StatusError(400, 'BadRequest', 'you must specify at least 1 command');
    const wantStdin = query.get('stdin') === 'true';
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const child = this.ctx.podExec?.({ pod, container, command });
      if (!child) {
        finish(ws, failure(`container not found ("${container}")`));
        return;
      }
      bridge(ws, child, wantStdin);
    });
  }
}

function bridge(ws: WebSocket, child: ChildProcess, wantStdin: boolean): void {
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  child.stdout!.on('data', (d: Buffer) => send(1, d));
  child.stderr!.on('data', (d: Buffer) => send(2, d));
  if (!wantStdin) child.stdin!.end();
  child.stdin!.on('error', () => undefined);
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    if (data[0] === 0) child.stdin!.write(data.subarray(1));
    else if (data[0] === 255 && data[1] === 0) child.stdin!.end();
  });
  ws.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  child.on('error', (err) => finish(ws, failure(err.message)));
  child.on('close', (code, signal) => {
    if (code === 0) finish(ws, { metadata: {}, status: 'Success' });
    else {
      const exit = code ?? 128 + (signal ? 9 : 0);
      finish(ws, {
        metadata: {},
        status: 'Failure',
        message: `command terminated with non-zero exit code: exit status ${exit}`,
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: String(exit) }] },
      });
    }
  });
}

const failure = (message: string) => ({
  metadata: {},
  status: 'Failure',
  message,
  reason: 'InternalError',
  code: 500,
});

function finish(ws: WebSocket, status: object): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]));
  ws.close(1000);
}
