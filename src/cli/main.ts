import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { EXIT } from './exit-codes.ts';
import { processIo, type CliIo } from './io.ts';
import { unexpectedErrorText } from './unexpected-error.ts';
import { restoreFastStringPrototype } from '../apps/fast-string-prototype.ts';

export function buildProgram(io: CliIo): Command {
  const program = new Command('helios')
    .description('helios: trades Polymarket prediction markets as an XState actor system')
    .version(packageVersion(), '-V, --version', 'print the helios version')
    .exitOverride()
    // Inherited by every command registered below: a typo says where the right spelling is.
    .showHelpAfterError('(add --help for the usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  for (const c of COMMANDS) c.register(program, io);
  return program;
}

/** The version users see is the one npm knows: read from package.json, never a second copy. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** Runs one command line; resolves to the process exit code. */
export async function main(argv: string[], io: CliIo & { code: number } = processIo()): Promise<number> {
  // Every command module (and the redis client among them) is loaded by now.
  restoreFastStringPrototype();
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return io.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.OK;
      // `commander.help`: a command that needs a subcommand got none (`helios`, `helios metar`): usage printed, a usage error.
      return EXIT.CONFIG_ERROR;
    }
    const command = argv.find((a) => !a.startsWith('-'));
    const known = command !== undefined && program.commands.some((c) => c.name() === command);
    io.err(unexpectedErrorText(known ? `helios ${command}` : 'helios', err, io.env));
    return EXIT.RUNTIME_ERROR;
  }
}
