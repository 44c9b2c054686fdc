import { redactRedisUrl } from '../../adapters/bus/health-probe.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { DaemonContext } from './context.ts';

/**
 * What an operator reads in the log: every order update, fill, halt, resume and risk-state change
 * at info, and every alert at its severity, with its correlation id (so one decision can be followed through the log and the
 * journal). A sink beside the bus, so it sees exactly what this process emits.
 */
export class OperatorLog implements EventSink {
  constructor(private readonly log: Logger) {}

  emit(event: HeliosEvent): void {
    switch (event.type) {
      case 'ORDER_UPDATE': {
        const p = event.payload;
        // With its reason: a refusal names what the venue (or risk) objected to, e.g. a wallet set up wrong refuses every order.
        this.log.info(
          { correlation_id: event.correlation_id, event_id: event.event_id, client_order_id: p.client_order_id, market_id: event.market_id, token_id: event.token_id, strategy: p.strategy, status: p.status, side: p.side, price: p.price, size: p.size, filled_size: p.filled_size, reason: p.reason ?? undefined },
          `order ${p.client_order_id} ${p.status}: ${p.side} ${p.size} @ ${p.price} (${p.strategy})${p.reason ? `: ${p.reason}` : ''}`,
        );
        return;
      }
      case 'FILL': {
        const p = event.payload;
        this.log.info(
          { correlation_id: event.correlation_id, event_id: event.event_id, fill_id: p.fill_id, client_order_id: p.client_order_id, market_id: event.market_id, token_id: event.token_id, status: p.status, side: p.side, price: p.price, size: p.size, fee_usdc: p.fee_usdc },
          `fill ${p.status}: ${p.side} ${p.size} @ ${p.price} for ${p.client_order_id}`,
        );
        return;
      }
      case 'HALT':
      case 'RESUME': {
        const p = event.payload;
        const what = event.type === 'HALT' ? 'halt' : 'resume';
        this.log.info(
          { correlation_id: event.correlation_id, event_id: event.event_id, scope: p.scope, market_id: event.market_id, reason: p.reason },
          `${what} ${p.scope}${event.market_id ? ` ${event.market_id}` : ''}${p.reason ? `: ${p.reason}` : ''}`,
        );
        return;
      }
      case 'RISK_STATE': {
        const p = event.payload;
        this.log.info({ correlation_id: event.correlation_id, event_id: event.event_id, state: p.state, reason: p.reason, size_scale: p.size_scale }, `risk ${p.state}${p.reason ? `: ${p.reason}` : ''}`);
        return;
      }
      case 'ALERT': {
        // The trading runtime's alerts (a reconciliation break that halts a market, a market
        // actor down, a neg-risk set left partial) exist nowhere else in the log: at their severity.
        const p = event.payload;
        const level = p.severity === 'critical' ? 'error' : p.severity === 'warn' ? 'warn' : 'info';
        this.log[level]({ correlation_id: event.correlation_id, event_id: event.event_id, code: p.code, market_id: event.market_id }, `alert ${p.code}: ${p.message}`);
        return;
      }
      default:
    }
  }
}

/** The start-up summary: what runs, on which bus, with how many markets, and where to look. */
export function logStartupSummary(ctx: DaemonContext, apiUrl: string, inspectorUrl: string | null): void {
  const { config } = ctx;
  const markets = ctx.localMarkets().length;
  const ws = `${apiUrl.replace(/^http/, 'ws')}${config.api.ws_path}`;
  const bus = config.bus.kind;
  ctx.log.info(
    {
      mode: ctx.opts.mode,
      role: ctx.role,
      bus,
      // The URL without credentials: which server, never its password.
      redis: bus === 'redis' && config.bus.redis_url ? redactRedisUrl(config.bus.redis_url) : undefined,
      execution: config.execution.adapter,
      markets,
      tokens: 2 * markets,
      api: apiUrl,
      ws,
      inspector: inspectorUrl ?? undefined,
      data_dir: ctx.opts.dataDir,
    },
    `helios started: ${ctx.opts.mode} mode${ctx.role !== 'all' ? ` (role ${ctx.role})` : ''}, ${bus === 'redis' ? 'Redis Streams' : 'in-process'} bus, ` +
      `${markets} markets (${2 * markets} tokens), ${config.execution.adapter} execution; API ${apiUrl}, WebSocket ${ws}` +
      (inspectorUrl ? `, inspector ${inspectorUrl}` : ''),
  );
}

/** One status line: markets by state, orders, fills, realized PnL and the stalest feed. */
export function logStatus(ctx: DaemonContext): void {
  const byState: Record<string, number> = {};
  for (const m of ctx.liveMarkets()) {
    const state = ctx.trading?.node.runtime.marketSnapshot(m.spec.market_id)?.state ?? 'not_started';
    byState[state] = (byState[state] ?? 0) + 1;
  }
  const markets_by_state = Object.fromEntries(Object.entries(byState).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const staleness = ctx.observer?.staleness.staleness(ctx.clock.now()) ?? {};
  let worst: { feed: string; ms: number | null } | null = null;
  for (const [feed, ms] of Object.entries(staleness)) {
    // A feed never heard from is the worst of all.
    if (worst === null || ms === null || (worst.ms !== null && ms > worst.ms)) worst = { feed, ms };
    if (ms === null) break;
  }
  const orders = ctx.observer?.counters.orders ?? 0;
  const fills = ctx.observer?.counters.fills ?? 0;
  const pnl = ctx.observer?.realizedPnl() ?? 0;
  ctx.log.info(
    { markets_by_state, orders, fills, realized_pnl: pnl, worst_staleness: worst, errors: ctx.errors },
    `status: ${Object.entries(markets_by_state).map(([s, n]) => `${n} ${s}`).join(', ') || 'no markets'}; ${orders} orders, ${fills} fills, realized PnL ${pnl}; ` +
      `stalest feed ${worst ? `${worst.feed} ${worst.ms === null ? 'never seen' : `${worst.ms} ms`}` : '—'}; ${ctx.errors} errors`,
  );
}
