import type { HeliosConfig } from '../../config/schema.ts';
import { MACHINES } from '../inspector/machine-registry.ts';
import { toMermaid } from '../inspector/mermaid.ts';

export interface MachineGraph {
  name: string;
  description: string;
  /** Exactly what `helios inspect --graph NAME` prints: the page draws it, offline. */
  mermaid: string;
}

/** Every machine's graph, built once (machines built from config are only shaped by it). */
export function machineGraphs(config: HeliosConfig): MachineGraph[] {
  return MACHINES.map((m) => ({ name: m.name, description: m.description, mermaid: toMermaid(m.build(config)) }));
}
