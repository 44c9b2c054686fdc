import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    redisBinary: string;
    redisUrl: string;
  }
}
