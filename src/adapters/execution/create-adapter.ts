import type { ExecutionConfig } from '../../config/sections/trading.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { ExecutionAdapter } from './execution-adapter.ts';
import { PaperExecutionAdapter, type PaperBook } from './paper-adapter.ts';
import { RealExecutionAdapter } from './real-adapter.ts';

/**
 * The one place the daemon picks its venue. Paper is the default; `real` yields the refusing stub
 * whatever `allow_real_orders` says, since real placement is out of scope.
 */
export function createExecutionAdapter(
  cfg: ExecutionConfig,
  deps: { clock: Clock; bookFor: (tokenId: string) => PaperBook | undefined },
): ExecutionAdapter {
  if (cfg.adapter === 'real') return new RealExecutionAdapter();
  return new PaperExecutionAdapter({ clock: deps.clock, cfg: cfg.paper, bookFor: deps.bookFor });
}
