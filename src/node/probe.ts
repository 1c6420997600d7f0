// Readiness probes over a connection opened from the cluster namespace: tcpSocket succeeds on
// connect, httpGet on a status from 200 to 399.
import type net from 'node:net';

export interface ProbeTarget {
  host: string;
  port: number;
  /** Set for httpGet. */
  path?: string;
}

export type Connect = (host: string, port: number, timeoutMs: number) => Promise<net.Socket>;

export async function probeOnce(connect: Connect, target: ProbeTarget, timeoutMs = 1000): Promise<boolean> {
  let socket: net.Socket;
  try {
    socket = await connect(target.host, target.port, timeoutMs);
  } catch {
    return false;
  }
  if (target.path === undefined) {
    socket.destroy();
    return true;
  }
  return await new Promise<boolean>((resolve) => {
    let head = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      head += d;
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (m) done(Number(m[1]) >= 200 && Number(m[1]) < 400);
      else if (head.includes('\r\n') || head.length > 64) done(false);
    });
    socket.on('error', () => done(false));
    socket.on('end', () => done(false));
    socket.write(
      `GET ${target.path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nUser-Agent: kube-probe/1.32\r\nConnection: close\r\n\r\n`,
    );
    socket.resume();
  });
}
