// The `mizzen` command line: cluster lifecycle now; the istioctl-compatible commands join it later.
import { Command, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import {
  clusterPaths,
  DEFAULT_CLUSTER,
  down,
  runControllersProcess,
  runDaemon,
  runNodeAgentProcess,
  status,
  up,
} from '../cluster/index.js';

const cliPath = fileURLToPath(new URL('./main.js', import.meta.url));

export function program(): Command {
  const p = new Command('mizzen')
    .description('A service mesh and its operator, with an embedded Kubernetes-compatible cluster')
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) });

  const name = () => new Option('--name <name>', 'cluster name').default(DEFAULT_CLUSTER);

  p.command('up')
    .description('start an embedded cluster in the background and wait until it is ready')
    .addOption(name())
    .option('--port <port>', 'API server port on 127.0.0.1 (first start only)', (v) => Number(v))
    .option('--nodes <n>', 'nodes running pods (first start only; 0: API server only)', (v) => Number(v), 2)
    .action(async (o: { name: string; port?: number; nodes?: number }) => {
      if (o.nodes !== undefined && !(Number.isInteger(o.nodes) && o.nodes >= 0 && o.nodes <= 250))
        throw new Error('--nodes must be an integer from 0 to 250');
      const started = Date.now();
      const r = await up({ name: o.name, cliPath, port: o.port, nodes: o.nodes });
      const took = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        r.alreadyRunning
          ? `cluster ${o.name} is already running at ${r.url}`
          : `cluster ${o.name} is ready at ${r.url} (${took}s)`,
      );
      if (r.alreadyRunning && r.startedAgents.length)
        console.log(`restarted the node agent(s) of ${r.startedAgents.join(', ')}`);
      console.log(`export KUBECONFIG=${r.paths.kubeconfig}`);
    });

  p.command('down')
    .description('stop a cluster and remove everything it created')
    .addOption(name())
    .action(async (o: { name: string }) => {
      const r = await down(o.name);
      if (!r.existed) console.log(`cluster ${o.name} does not exist; nothing to do`);
      else console.log(`cluster ${o.name} ${r.stopped ? 'stopped and ' : ''}removed`);
    });

  p.command('status')
    .description('list the clusters and whether they are running')
    .action(() => {
      const all = status();
      if (all.length === 0) {
        console.log('no clusters; start one with `mizzen up`');
        return;
      }
      const rows = [
        ['NAME', 'STATUS', 'NODES', 'API SERVER', 'KUBECONFIG'],
        ...all.map((c) => [
          c.name,
          c.running ? 'Running' : 'Stopped',
          `${c.nodes.filter((n) => n.pid !== undefined).length}/${c.nodes.length}`,
          c.url ?? '-',
          c.kubeconfig,
        ]),
      ];
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      for (const r of rows)
        console.log(
          r
            .map((c, i) => c.padEnd(widths[i] + 3))
            .join('')
            .trimEnd(),
        );
    });

  p.command('kubeconfig')
    .description("print the path of a cluster's admin kubeconfig")
    .addOption(name())
    .action((o: { name: string }) => {
      const paths = clusterPaths(o.name);
      if (!existsSync(paths.kubeconfig))
        throw new Error(`cluster ${o.name} has no kubeconfig yet; run \`mizzen up --name ${o.name}\``);
      console.log(paths.kubeconfig);
    });

  p.command('daemon', { hidden: true })
    .description('run a cluster in the foreground (what `mizzen up` starts in the background)')
    .addOption(name())
    .action(async (o: { name: string }) => {
      await runDaemon(clusterPaths(o.name), cliPath);
    });

  p.command('controllers', { hidden: true })
    .description('run the cluster controllers against a kubeconfig (the daemon starts this)')
    .requiredOption('--kubeconfig <path>', 'kubeconfig of the cluster')
    .option('--load-balancer-pool <cidr>', 'addresses for LoadBalancer Services')
    .action(async (o: { kubeconfig: string; loadBalancerPool?: string }) => {
      await runControllersProcess(o.kubeconfig, o.loadBalancerPool);
    });

  p.command('operator')
    .description(
      'run the Sail Operator (Istio, IstioRevision, IstioRevisionTag, IstioCNI, ZTunnel) against a cluster',
    )
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (default: $KUBECONFIG, or in-cluster)')
    .action(async (o: { kubeconfig?: string }) => {
      // Loaded on demand: the cluster's own processes start from this file too and need none of it.
      const [{ controller }, { server }] = await Promise.all([
        import('../operator/index.js'),
        import('../istiod/index.js'),
      ]);
      const op = await controller.startOperator({ client: server.kubeClientForProcess(o.kubeconfig) });
      console.error('operator: running');
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      op.stop();
    });

  p.command('istiod')
    .description('run the Istio control plane (xDS, CA, injection) for one revision against a cluster')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (default: $KUBECONFIG, or in-cluster)')
    .option('--namespace <ns>', 'the control plane namespace (default: $POD_NAMESPACE or istio-system)')
    .option('--revision <rev>', 'the revision it serves (default: $REVISION or none)')
    .action(async (o: { kubeconfig?: string; namespace?: string; revision?: string }) => {
      const { server } = await import('../istiod/index.js');
      await server.runIstiodProcess(o);
    });

  p.command('node-agent', { hidden: true })
    .description("run one node's agent in the foreground (what `mizzen up` starts in the background)")
    .addOption(name())
    .requiredOption('--node <node>', 'node name')
    .action(async (o: { name: string; node: string }) => {
      await runNodeAgentProcess(clusterPaths(o.name), o.node);
    });

  return p;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main(process.argv);
