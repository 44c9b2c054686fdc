import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** ../shared/fixtures beside the repository; absent on a fresh clone. */
const SHARED_FIXTURES = path.resolve(fileURLToPath(new URL('../../../shared/fixtures', import.meta.url)));

function sharedFixturesPresent(sub = ''): boolean {
  return existsSync(path.join(SHARED_FIXTURES, sub));
}

export function sharedFixture(...parts: string[]): string {
  return path.join(SHARED_FIXTURES, ...parts);
}

/**
 * Returns true when the shared fixtures exist; otherwise prints a loud notice and returns false so
 * the caller uses `describe.skipIf(!present)`.
 */
export function requireSharedFixtures(sub: string): boolean {
  const present = sharedFixturesPresent(sub);
  if (!present) {
    console.warn(`\n*** SKIPPING: ../shared/fixtures/${sub} is absent (fresh clone); tests that read real fixtures did not run ***\n`);
  }
  return present;
}
