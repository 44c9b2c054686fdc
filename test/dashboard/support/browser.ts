import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';

/** The system Chromium (Debian's package; CI installs it with apt-get): CHROMIUM_PATH overrides. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** True when a Chromium exists; otherwise a loud notice, for `describe.skipIf(!present)`. */
export function requireChromium(): boolean {
  const found = chromiumPath();
  if (!found) console.warn('\n*** SKIPPING: no Chromium (set CHROMIUM_PATH or apt-get install chromium); the dashboard browser tests did not run ***\n');
  return found !== null;
}

/** Nothing is downloaded and nothing leaves loopback: no sandbox (root in CI), no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath()!,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps'],
  });
}

/**
 * The README's pictures are refreshed on request (`HELIOS_SCREENSHOTS=1`): every other run takes
 * them too, into a temporary folder, so a test run never leaves the working tree changed.
 */
const SCREENSHOTS = process.env.HELIOS_SCREENSHOTS === '1'
  ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/screenshots')
  : path.join(tmpdir(), 'helios-screenshots');

/** A picture of a view, at the size the dashboard is made for. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Page errors and failed requests, which a test asserts are none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
