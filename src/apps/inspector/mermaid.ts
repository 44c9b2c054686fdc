import type { AnyStateMachine, AnyStateNode } from 'xstate';

/**
 * A machine as a Mermaid `stateDiagram-v2` (offline: `helios inspect --graph NAME`). Compound
 * states become nested blocks, parallel regions are separated by `--`, delayed transitions show
 * as `after …`, guarded ones carry the guard's name.
 */
export function toMermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  emitNode(machine.root, lines, '  ');
  return lines.join('\n') + '\n';
}

const safeId = (id: string): string => id.replace(/[^A-Za-z0-9_]/g, '_');

function label(eventType: string): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  if (eventType === '') return 'always';
  if (eventType.startsWith('xstate.done.actor.')) return `done ${eventType.slice('xstate.done.actor.'.length)}`;
  if (eventType.startsWith('xstate.error.actor.')) return `error ${eventType.slice('xstate.error.actor.'.length)}`;
  return eventType;
}

function emitNode(node: AnyStateNode, lines: string[], indent: string): void {
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) return;
  if (node.type === 'compound' && node.initial?.target?.[0]) {
    lines.push(`${indent}[*] --> ${safeId(node.initial.target[0].id)}`);
  }
  children.forEach((child, i) => {
    if (node.type === 'parallel' && i > 0) lines.push(`${indent}--`);
    const id = safeId(child.id);
    lines.push(`${indent}state "${child.key}" as ${id}`);
    if ((child.states && Object.keys(child.states).length > 0) || child.type === 'parallel') {
      lines.push(`${indent}state ${id} {`);
      emitNode(child, lines, indent + '  ');
      lines.push(`${indent}}`);
    }
    if (child.type === 'final') lines.push(`${indent}${id} --> [*]`);
  });
  for (const child of children) emitTransitions(child, lines, indent);
}

function emitTransitions(node: AnyStateNode, lines: string[], indent: string): void {
  const transitions = [...node.transitions.values()].flat();
  const always = node.always ?? [];
  for (const t of [...transitions, ...always]) {
    const guard = guardName(t.guard);
    const targets = t.target ?? [];
    for (const target of targets) lines.push(`${indent}${safeId(node.id)} --> ${safeId(target.id)}: ${label(t.eventType)}${guard}`);
  }
}

function guardName(guard: unknown): string {
  const text = guardText(guard);
  return text === '' ? '' : ` [${text}]`;
}

/**
 * XState's and/or/not are functions named after the combinator with the operands on `.guards`;
 * spelling them out keeps `[and]` from hiding which conditions a transition needs.
 */
function guardText(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (guard && typeof guard === 'object' && 'type' in guard) return String((guard as { type: unknown }).type);
  if (typeof guard === 'function') {
    const operands = (guard as { guards?: unknown }).guards;
    if (Array.isArray(operands) && (guard.name === 'and' || guard.name === 'or' || guard.name === 'not')) {
      const parts = operands.map((g) => {
        const t = guardText(g);
        return typeof g === 'function' && (g as { guards?: unknown }).guards ? `(${t})` : t;
      });
      return guard.name === 'not' ? `not ${parts[0] ?? ''}` : parts.join(` ${guard.name} `);
    }
    return guard.name || 'guard';
  }
  return '';
}
