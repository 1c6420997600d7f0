// Messages between NetnsAgent (in the caller's namespace) and agent-entry (inside the target namespace).

export type AgentRequest =
  | { id: number; op: 'listen'; host: string; port: number; backlog?: number }
  | { id: number; op: 'connect'; host: string; port: number; timeoutMs: number }
  | { id: number; op: 'udp'; host: string; port: number; type: 'udp4' | 'udp6' };

export interface AgentAddress {
  address: string;
  family: string;
  port: number;
}

export type AgentReply =
  | { type: 'ready'; netns: string; pid: number }
  | { type: 'result'; id: number; ok: true; local?: AgentAddress }
  | { type: 'result'; id: number; ok: false; code: string; message: string };
