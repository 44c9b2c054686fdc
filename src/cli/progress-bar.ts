/**
 * A one-line progress bar redrawn in place on a terminal; silent elsewhere (logs and pipes get the
 * final summary only).
 */
export class ProgressBar {
  private lastDraw = '';
  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
    private readonly width = 30,
  ) {}

  update(done: number, total: number, label: string): void {
    if (!this.enabled || total <= 0) return;
    const frac = Math.min(1, done / total);
    const filled = Math.round(frac * this.width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${String(Math.round(frac * 100)).padStart(3)}% ${label}`;
    if (line === this.lastDraw) return;
    this.lastDraw = line;
    this.write(`\r\x1b[2K${line}`);
  }

  finish(): void {
    if (this.enabled && this.lastDraw) this.write('\n');
    this.lastDraw = '';
  }
}
