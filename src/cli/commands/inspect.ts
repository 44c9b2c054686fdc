import type { Command } from 'commander';
import { loadCliConfig } from '../load-cli-config.ts';
import { findMachine, MACHINES, machineNames } from '../../apps/inspector/machine-registry.ts';
import { toMermaid } from '../../apps/inspector/mermaid.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

interface InspectOptions {
  list?: boolean;
  graph?: string;
  config?: string;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('inspect')
    .description('offline views of the state machines: --list names them, --graph NAME prints one as a Mermaid state diagram')
    .option('--list', 'name every machine')
    .option('--graph <name>', 'print this machine as a Mermaid stateDiagram-v2')
    .option('--config <file>', 'YAML file layered over the defaults (machines built from configuration)')
    .action((opts: InspectOptions) => io.exit(inspect(opts, io)));
}

function inspect(opts: InspectOptions, io: CliIo): number {
  if (opts.list) {
    const width = Math.max(...MACHINES.map((m) => m.name.length));
    for (const name of machineNames()) io.out(`${name.padEnd(width)}  ${findMachine(name)!.description}\n`);
    return EXIT.OK;
  }
  if (opts.graph === undefined) {
    io.err('helios inspect: give --list or --graph NAME\n');
    return EXIT.CONFIG_ERROR;
  }
  const entry = findMachine(opts.graph);
  if (!entry) {
    io.err(`helios inspect: no machine named ${JSON.stringify(opts.graph)}; known: ${machineNames().join(', ')}\n`);
    return EXIT.CONFIG_ERROR;
  }
  const loaded = loadCliConfig(io, 'helios inspect', { file: opts.config });
  if (!loaded) return EXIT.CONFIG_ERROR;
  io.out(toMermaid(entry.build(loaded.config)));
  return EXIT.OK;
}
