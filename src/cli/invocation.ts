/**
 * How the user can run helios again, for commands a command suggests: `npm install` puts no
 * `helios` on the PATH, so under an npm script (`npm run sample-data`, `npm run helios -- …`,
 * which set npm_lifecycle_event) a suggested `helios replay …` would be "command not found".
 */
export function heliosInvocation(env: NodeJS.ProcessEnv): string {
  return env.npm_lifecycle_event ? 'npm run helios --' : 'helios';
}
