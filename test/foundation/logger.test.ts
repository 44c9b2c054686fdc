import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, withCorrelation } from '../../src/adapters/log/logger.ts';
import { Secret } from '../../src/config/secrets.ts';

function capture() {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  return { stream, lines };
}

describe('logger', () => {
  it('writes JSON lines with correlation ids and redacts secrets', async () => {
    const { stream, lines } = capture();
    const log = createLogger({ destination: stream, format: 'json' });
    withCorrelation(log, { correlation_id: 'corr-1', market_id: 'm1' }).info(
      { api_key: 'abc', headers: { authorization: 'Bearer xyz' }, secret: new Secret('s3'), api_token: 'tok' },
      'placed',
    );
    await new Promise((r) => setImmediate(r));
    const rec = JSON.parse(lines[0]!);
    expect(rec.msg).toBe('placed');
    expect(rec.correlation_id).toBe('corr-1');
    expect(rec.market_id).toBe('m1');
    expect(rec.level).toBe('info');
    expect(lines[0]).not.toMatch(/abc|xyz|s3"|"tok"/);
    expect(rec.api_key).toBe('[REDACTED]');
  });
});
