import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const GUARD = path.resolve(import.meta.dirname, '../../bin/exit-guard.js');

/** A finished command whose `leftover` script left something open (as a worker started during shutdown would). */
function finishedCommand(leftover: string): Promise<{ code: number | null; stderr: string }> {
  const script = `import { exitWhenDone } from ${JSON.stringify(GUARD)};\n${leftover}\nexitWhenDone(3, 300);\n`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a finished command ends its process (the launcher exit guard)', () => {
  it('exits with the command code, naming what still held the process open', async () => {
    const r = await finishedCommand(`import net from 'node:net'; net.createServer().listen(0, '127.0.0.1');`);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/TCPServerWrap still held the process open; exiting with 3/);
  }, 30_000);

  it('exits at once and silently when nothing is left open', async () => {
    const r = await finishedCommand('');
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('');
  }, 30_000);
});
