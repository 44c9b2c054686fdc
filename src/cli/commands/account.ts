import type { Command } from 'commander';
import { liveHealthcheck } from '../../adapters/execution/real-gate.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { openVenue, venueCall, venueOptions, type VenueOptions } from './orders.ts';

/** Balance, allowances, positions and the live healthcheck of the key; exit 1 when the healthcheck fails. */
export async function account(opts: VenueOptions, io: CliIo): Promise<number> {
  const opened = await openVenue(opts, io, false, 'account');
  if (!opened.ok) return opened.code;
  const { session, cfg, clock } = opened;
  return venueCall(io, 'account', async () => {
    const [collateral, positions, health] = await Promise.all([session.collateral(), session.positions(), liveHealthcheck(session, cfg, clock)]);
    const line = {
      kind: 'account',
      address: session.address,
      funds_address: session.fundsAddress,
      collateral_usdc: collateral.balance,
      allowances: collateral.allowances,
      positions: positions.map((p) => ({ token_id: String(p.asset), shares: Number(p.size), avg_price: Number(p.avgPrice) || 0 })),
      healthcheck: { ok: health.ok, problems: health.problems, clock_skew_ms: health.clock_skew_ms },
    };
    if (opts.json) io.out(JSON.stringify(line) + '\n');
    else {
      io.out(`address ${line.address} (funds ${line.funds_address})\ncollateral ${line.collateral_usdc} USDC; allowances for ${Object.keys(line.allowances).length} contract(s)\n`);
      for (const p of line.positions) io.out(`position ${p.token_id}: ${p.shares} shares @ ${p.avg_price}\n`);
      io.out(health.ok ? `healthcheck: ok (clock skew ${health.clock_skew_ms} ms)\n` : `healthcheck: ${health.problems.join('; ')}\n`);
    }
    return health.ok ? EXIT.OK : EXIT.DATA_ERROR;
  });
}

export function register(program: Command, io: CliIo): void {
  venueOptions(program.command('account').description('balance, allowances, positions and the live healthcheck of the key (needs --execution real and credentials)')).action(async (o: VenueOptions) =>
    io.exit(await account(o, io)),
  );
}
