import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const run = runCli;

describe('helios --version and inspect --graph (issue 21 item 10)', () => {
  it('--version and -V print package.json\'s version, exit 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.out.trim()).toBe(version);
      expect(r.err).toBe('');
    }
  });

  it('a transition guarded by and([...]) names its guards instead of [and]', async () => {
    const r = await run(['inspect', '--graph', 'market-trading']);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/\[(and|or|not)\]/);
    expect(r.out).toMatch(/marketTrading_HALT --> marketTrading_\w+: always \[\w+ and \w+\]/);
  });
});
