import { afterEach } from 'vitest';
import { tempDataDir } from './recorder.ts';

/** A fresh data directory per call, each removed after the test that asked for it. */
export function dataDirsRemovedAfterEach(): () => string {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  return () => {
    const t = tempDataDir();
    cleanups.push(t.cleanup);
    return t.dir;
  };
}
