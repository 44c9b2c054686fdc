import type { Browser, Page } from '@playwright/test';
import { HeliosProcess, type ProcessScope } from '../../daemon/support/helios-process.ts';
import { launchChromium, watchErrors } from './browser.ts';

/** A daemon the browser tests look at, and the page they look with. */
export interface DaemonPage {
  url: string;
  browser: Browser;
  page: Page;
  /** Page errors and failed requests (see `watchErrors`). */
  errors: string[];
}

/**
 * A real `helios run` of the embedded default at --speed 20, its process in `scope` (killed after the
 * file's tests), and a Chromium page beside it, not yet navigated. `args` replace the default data
 * directory (a fresh one of the scope).
 */
export async function openDaemonPage(scope: ProcessScope, env: NodeJS.ProcessEnv, o: { args?: string[]; viewport?: { width: number; height: number } } = {}): Promise<DaemonPage> {
  const daemon = new HeliosProcess(['run', '--port', '0', '--speed', '20', ...(o.args ?? ['--data-dir', scope.tempDir()])], env);
  scope.procs.push(daemon);
  const url = await daemon.apiUrl();
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: o.viewport ?? { width: 1280, height: 800 } });
  return { url, browser, page, errors: watchErrors(page) };
}
