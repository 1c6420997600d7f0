// pods/portforward. kubectl (1.31+) first asks for a WebSocket whose binary messages tunnel SPDY/3.1
// (subprotocol "SPDY/3.1+portforward.k8s.io"), and falls back to a plain "Upgrade: SPDY/3.1" when
// that upgrade is refused; both end in the same SPDY session. For every local connection the client
// opens two streams with the same requestid header: "error" (it only reads; a message there is a
// failure it prints) and "data" (the bytes, both ways). The server connects to the pod's port when
// it has both, pipes, and closes the error stream empty when the forwarding ends cleanly, as the
// kubelet's stream handler does.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { badRequest, StatusError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { KubeObject } from '../types.js';
import { SpdySession, type SpdyStream } from './session.js';
import type { SpdyHeaders } from './headers.js';

/** Connects to a port of a running pod; rejects (with a message for the user) when it cannot. */
export type PodPortForwardSource = (req: { pod: KubeObject; port: number }) => Promise<Duplex>;

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const WEBSOCKET_TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

/** How long the second stream of a pair may take, as the kubelet's default stream creation timeout. */
const STREAM_PAIR_TIMEOUT_MS = 30_000;

export interface PortForwardServerOptions {
  store: Store;
  /** The current source; undefined while the cluster has nothing that can reach pods. */
  source(): PodPortForwardSource | undefined;
  pairTimeoutMs?: number;
}

export class PortForwardServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Set<SpdySession>();

  constructor(private readonly opts: PortForwardServerOptions) {
    // ws only accepts RFC 7230 tokens as subprotocols and "SPDY/3.1+portforward.k8s.io" has a "/":
    // handle() checks the offer itself and hides it from ws, and the answer is added here.
    this.wss.on('headers', (headers) => headers.push(`Sec-WebSocket-Protocol: ${WEBSOCKET_TUNNEL_PROTOCOL}`));
  }

  /** Answers an upgrade for …/pods/<name>/portforward; throws a StatusError before upgrading when the request is wrong. */
  handle(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    ns: string,
    name: string,
    query: URLSearchParams,
  ): void {
    const pod = this.opts.store.get('pods', ns, name)?.obj;
    if (!pod) throw new StatusError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
    for (const value of query.getAll('ports').flatMap((p) => p.split(','))) parsePort(value.trim());
    const phase = pod.status?.phase ?? 'Pending';
    if (phase !== 'Running')
      throw badRequest(`unable to forward port because pod is not running. Current status=${phase}`);
    if (!this.opts.source())
      throw new StatusError(
        503,
        'ServiceUnavailable',
        `unable to forward ports to pod ${name}: this cluster has no node agents to reach its pods`,
      );

    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'websocket') {
      const offered = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim());
      // Refusing before the handshake is what makes kubectl fall back to plain SPDY.
      if (!offered.includes(WEBSOCKET_TUNNEL_PROTOCOL))
        throw badRequest(
          `unable to upgrade: no supported WebSocket subprotocol offered; the server accepts ${WEBSOCKET_TUNNEL_PROTOCOL}`,
        );
      delete req.headers['sec-websocket-protocol'];
      this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(createWebSocketStream(ws), ns, name));
      return;
    }
    if (upgrade.split(',').some((u) => u.trim() === 'spdy/3.1')) {
      const offered = String(req.headers['x-stream-protocol-version'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      if (offered.length > 0 && !offered.includes(PORT_FORWARD_PROTOCOL))
        throw new StatusError(
          403,
          'Forbidden',
          `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${PORT_FORWARD_PROTOCOL}]`,
        );
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\n' +
          'Connection: Upgrade\r\n' +
          'Upgrade: SPDY/3.1\r\n' +
          `X-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`,
      );
      if (head.length > 0) socket.unshift(head);
      this.serve(socket, ns, name);
      return;
    }
    throw badRequest(`unable to upgrade: unsupported protocol "${req.headers.upgrade ?? ''}"`);
  }

  /** Closes every port-forward session (the server is stopping). */
  closeAll(): void {
    for (const session of this.sessions) session.destroy();
  }

  private serve(transport: Duplex, ns: string, name: string): void {
    const session = new SpdySession(transport, { accept: acceptStream });
    this.sessions.add(session);
    const pairs = new Map<string, StreamPair>();
    session.on('stream', (stream: SpdyStream) => {
      const type = stream.header('streamtype')!;
      // Old clients sent no request id: their error and data streams were consecutive odd ids.
      const requestId = stream.header('requestid') ?? String(type === 'error' ? stream.id : stream.id - 2);
      let pair = pairs.get(requestId);
      if (!pair) {
        const created: StreamPair = { requestId };
        created.timer = setTimeout(() => {
          pairs.delete(requestId);
          failPair(created, `timed out waiting for streams for request ${requestId}`);
        }, this.opts.pairTimeoutMs ?? STREAM_PAIR_TIMEOUT_MS);
        created.timer.unref();
        pairs.set(requestId, created);
        pair = created;
      }
      const slot = type === 'error' ? 'error' : 'data';
      if (pair[slot]) {
        // The kubelet reports a duplicate on the pair's error stream and leaves the pair alone.
        pair.error?.write(
          `error processing stream for request ${requestId}: ${slot} stream already assigned`,
        );
        stream.on('error', () => undefined);
        stream.destroy();
        return;
      }
      pair[slot] = stream;
      if (slot === 'error') stream.resume(); // the client never writes to it, only closes it
      stream.on('error', () => undefined);
      if (pair.error && pair.data) {
        clearTimeout(pair.timer);
        pairs.delete(requestId);
        void this.forward(pair.error, pair.data, ns, name);
      }
    });
    session.on('close', () => {
      this.sessions.delete(session);
      for (const pair of pairs.values()) clearTimeout(pair.timer);
      pairs.clear();
    });
  }

  private async forward(errorStream: SpdyStream, data: SpdyStream, ns: string, name: string): Promise<void> {
    const port = Number(data.header('port'));
    const pod = this.opts.store.get('pods', ns, name)?.obj;
    const source = this.opts.source();
    let upstream: Duplex;
    try {
      if (!pod) throw new Error(`pod ${ns}/${name} no longer exists`);
      if (pod.status?.phase !== 'Running')
        throw new Error(`pod is not running (${pod.status?.phase ?? 'Pending'})`);
      if (!source) throw new Error('this cluster has no node agents to reach its pods');
      upstream = await source({ pod, port });
    } catch (err) {
      // The kubelet's wording; the pod is named name_namespace there.
      const uid = pod?.metadata.uid ?? '';
      errorStream.end(
        `error forwarding port ${port} to pod ${name}_${ns}, uid ${uid}: ${(err as Error).message}`,
      );
      data.end();
      return;
    }
    if (data.destroyed) {
      upstream.destroy();
      errorStream.end();
      return;
    }
    pipeBothWays(data, upstream, () => {
      if (!errorStream.destroyed) errorStream.end();
    });
  }
}

interface StreamPair {
  requestId: string;
  error?: SpdyStream;
  data?: SpdyStream;
  timer?: NodeJS.Timeout;
}

function failPair(pair: StreamPair, message: string): void {
  if (pair.error) pair.error.end(message);
  pair.data?.destroy();
}

/** The checks the kubelet makes on each new stream before replying to it. */
function acceptStream(headers: SpdyHeaders): boolean {
  const port = headers.get('port')?.[0];
  const type = headers.get('streamtype')?.[0];
  if (!port || !/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) return false;
  return type === 'error' || type === 'data';
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value)) throw badRequest(`unable to parse "${value}" as a port`);
  const port = Number(value);
  if (port < 1 || port > 65535) throw badRequest(`port "${value}" must be between 1 and 65535`);
  return port;
}

/**
 * Copies both ways with half-closes passed on: the client's FIN ends the pod connection's write
 * side and the pod's FIN ends the stream. `finished` runs once: when the stream has sent its FIN,
 * or is gone (reset by the client, or the session closed).
 */
function pipeBothWays(stream: SpdyStream, upstream: Duplex, finished: () => void): void {
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    finished();
  };
  stream.pipe(upstream);
  upstream.pipe(stream);
  stream.on('finish', finish);
  upstream.on('error', () => {
    // A reset from the pod ends this connection only; the kubelet keeps the session for these too.
    if (!stream.writableEnded) stream.end();
  });
  upstream.on('close', () => {
    if (!stream.writableEnded && !stream.destroyed) stream.end();
  });
  stream.on('close', () => {
    finish();
    if (stream.wasReset || !upstream.writableEnded || upstream.writableFinished) upstream.destroy();
    else upstream.once('finish', () => upstream.destroy());
  });
}
