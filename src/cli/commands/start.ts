import type { Command } from 'commander';
import type { CliIo } from '../io.ts';

/**
 * `npm start`. Until the daemon lands (issue #7) it prints what is available instead of failing.
 */
export function register(program: Command, io: CliIo): void {
  program
    .command('start')
    .description('run the daemon on its embedded default (simulated venue and feeds, in-process bus, paper execution)')
    .action(() => {
      io.out(
        [
          'helios: the daemon is not built yet (issue #7).',
          'Available now:',
          ...program.commands.filter((c) => c.name() !== 'start').map((c) => `  helios ${c.name().padEnd(12)} ${c.description()}`),
          'Run `helios --help` for details, `npm test` for the test suite and `npm run bench -- bus` for the bus benchmark.',
          '',
        ].join('\n'),
      );
    });
}
