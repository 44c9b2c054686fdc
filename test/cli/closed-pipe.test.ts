import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve(import.meta.dirname, '../../bin/helios.js');
const dir = mkdtempSync(path.join(tmpdir(), 'helios-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `helios ARGS | head -0`: the reader is gone before the command writes its first byte. */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('a closed pipe (issue 21 item 8)', () => {
  it('helios inspect --list | head exits quietly', async () => {
    const r = await runIntoClosedPipe(['inspect', '--list']);
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.code).toBe(0);
  }, 30_000);

  it('helios metar parse FILE | head exits quietly, without reading the whole file', async () => {
    const file = path.join(dir, 'metars.txt');
    writeFileSync(file, 'KJFK 151651Z 20010KT 10SM FEW050 31/20 A2992 RMK AO2 SLP132 T03110200\n'.repeat(5000));
    const r = await runIntoClosedPipe(['metar', 'parse', file, '--date', '2025-07-15']);
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.code).toBe(0);
  }, 30_000);
});
