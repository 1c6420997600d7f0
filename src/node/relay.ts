// Addresses in the cluster namespace served from the daemon's own (host) sockets: the cluster DNS at
// 10.96.0.10:53 and the API server at 10.96.0.1:443. The listening sockets are made inside the
// namespace by a NetnsAgent; each connection or datagram is relayed to 127.0.0.1.
import dgram from 'node:dgram';
import net from 'node:net';
import type { NetnsAgent } from '../netns/index.js';

const UDP_REPLY_TIMEOUT_MS = 5000;

export interface Relay {
  close(): Promise<void>;
}

/** TCP connections to host:port in the namespace are piped to 127.0.0.1:targetPort. */
export async function relayTcp(
  agent: NetnsAgent,
  host: string,
  port: number,
  targetPort: number,
): Promise<Relay> {
  const server = await agent.listen(host, port);
  const sockets = new Set<net.Socket>();
  server.on('connection', (inbound: net.Socket) => {
    const outbound = net.connect(targetPort, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
    inbound.resume();
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Datagrams to host:port in the namespace are asked of 127.0.0.1:targetPort; answers go back to the asker. */
export async function relayUdp(
  agent: NetnsAgent,
  host: string,
  port: number,
  targetPort: number,
): Promise<Relay> {
  const inside = await agent.bindUdp(host, port);
  const open = new Set<dgram.Socket>();
  inside.on('error', () => {});
  inside.on('message', (msg, rinfo) => {
    const out = dgram.createSocket('udp4');
    open.add(out);
    const done = () => {
      clearTimeout(timer);
      if (open.delete(out)) out.close();
    };
    const timer = setTimeout(done, UDP_REPLY_TIMEOUT_MS);
    out.on('error', done);
    out.once('message', (reply) => {
      inside.send(reply, rinfo.port, rinfo.address, () => {});
      done();
    });
    out.send(msg, targetPort, '127.0.0.1');
  });
  return {
    close: async () => {
      for (const s of open) s.close();
      open.clear();
      await new Promise<void>((r) => inside.close(() => r()));
    },
  };
}
