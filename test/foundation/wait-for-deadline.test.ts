import { describe, expect, it, vi } from 'vitest';

// Not imported here: the setup file must be installed by vitest.config.ts for these to pass.
describe('the suite-wide vi.waitFor deadline (test/setup/wait-for-deadline.ts)', () => {
  it('waits past vitest’s own 1 s default for a condition that comes later', async () => {
    let ready = false;
    setTimeout(() => (ready = true), 1_300);
    await vi.waitFor(() => expect(ready).toBe(true));
  });

  it('keeps a deadline a test names', async () => {
    const started = Date.now();
    await expect(vi.waitFor(() => expect(false).toBe(true), { timeout: 200, interval: 20 })).rejects.toThrow();
    await expect(vi.waitFor(() => expect(false).toBe(true), 200)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
