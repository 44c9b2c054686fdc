import type { CancelAck, ExecutionAdapter, ExecutionEvent, PlaceOrderAck, PlaceOrderRequest } from './execution-adapter.ts';
import type { PositionView, VenueOrderView } from '../../domain/trading/reconcile.ts';

export class RealOrdersRefusedError extends Error {
  constructor(what: string) {
    super(`real execution is out of scope here: ${what} refused (only the daemon opens the real venue, behind its gate; use execution.adapter: paper)`);
    this.name = 'RealOrdersRefusedError';
  }
}

/**
 * What a trading node gets for `execution.adapter: real` when nobody handed it the CLOB adapter
 * (only the daemon opens one, behind the gate): every call refuses with a clear error, so a replay
 * or backtest given a real config fails loudly at start-up reconciliation instead of trading.
 */
export class RealExecutionAdapter implements ExecutionAdapter {
  readonly kind = 'real' as const;

  async placeOrder(req: PlaceOrderRequest): Promise<PlaceOrderAck> {
    throw new RealOrdersRefusedError(`placeOrder ${req.client_order_id}`);
  }

  async cancelOrder(clientOrderId: string): Promise<CancelAck> {
    throw new RealOrdersRefusedError(`cancelOrder ${clientOrderId}`);
  }

  async fetchOpenOrders(): Promise<VenueOrderView[]> {
    throw new RealOrdersRefusedError('fetchOpenOrders');
  }

  async fetchPositions(): Promise<PositionView[]> {
    throw new RealOrdersRefusedError('fetchPositions');
  }

  subscribe(_listener: (event: ExecutionEvent) => void): () => void {
    return () => {};
  }
}
