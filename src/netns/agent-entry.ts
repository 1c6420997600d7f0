// The helper process started with `ip netns exec <ns> node agent-entry.js`. It opens sockets in its
// namespace and hands them to its parent over the IPC channel, then forgets them: the parent owns
// every connection. It exits as soon as the parent goes away.
import dgram from 'node:dgram';
import { readlinkSync } from 'node:fs';
import net from 'node:net';
import type { AgentAddress, AgentReply, AgentRequest } from './agent-protocol.js';

type Handle = net.Server | net.Socket | dgram.Socket;

function reply(msg: AgentReply, handle?: Handle, done?: () => void): void {
  if (!process.connected) return done?.();
  process.send!(msg, handle as net.Socket | undefined, {}, () => done?.());
}

function fail(id: number, err: NodeJS.ErrnoException): void {
  reply({ type: 'result', id, ok: false, code: err.code ?? 'EUNKNOWN', message: err.message });
}

function address(a: string | net.AddressInfo | null): AgentAddress | undefined {
  return a && typeof a === 'object' ? { address: a.address, family: a.family, port: a.port } : undefined;
}

function listen(req: Extract<AgentRequest, { op: 'listen' }>): void {
  const server = net.createServer();
  server.once('error', (err) => fail(req.id, err));
  server.listen({ host: req.host, port: req.port, backlog: req.backlog }, () => {
    const local = address(server.address());
    // The parent holds its own descriptor once the handle is sent; ours must go so that only the
    // parent accepts connections.
    reply({ type: 'result', id: req.id, ok: true, local }, server, () => server.close());
  });
}

function connect(req: Extract<AgentRequest, { op: 'connect' }>): void {
  const socket = new net.Socket();
  // Not a byte may be read here: a server that speaks first must have its greeting reach the parent.
  socket.pause();
  const timer = setTimeout(() => {
    socket.destroy();
    fail(req.id, Object.assign(new Error(`timed out after ${req.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
  }, req.timeoutMs);
  socket.once('error', (err) => {
    clearTimeout(timer);
    fail(req.id, err);
  });
  socket.connect({ host: req.host, port: req.port }, () => {
    clearTimeout(timer);
    socket.removeAllListeners('error');
    socket.on('error', () => {});
    reply(
      { type: 'result', id: req.id, ok: true, local: address(socket.address() as net.AddressInfo) },
      socket,
    );
  });
}

function udp(req: Extract<AgentRequest, { op: 'udp' }>): void {
  const socket = dgram.createSocket(req.type);
  socket.once('error', (err) => fail(req.id, err));
  socket.bind(req.port, req.host, () => {
    reply({ type: 'result', id: req.id, ok: true, local: address(socket.address()) }, socket, () =>
      socket.close(),
    );
  });
}

process.on('message', (req: AgentRequest) => {
  if (req.op === 'listen') listen(req);
  else if (req.op === 'connect') connect(req);
  else if (req.op === 'udp') udp(req);
});
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready', netns: readlinkSync('/proc/self/ns/net'), pid: process.pid });
