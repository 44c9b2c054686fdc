import type { Command } from 'commander';
import type { CliIo } from '../io.ts';
import * as config from './config.ts';
import * as run from './run.ts';
import * as compact from './compact.ts';
import * as query from './query.ts';
import * as retention from './retention.ts';
import * as truth from './truth.ts';
import * as metar from './metar.ts';
import * as nowcast from './nowcast.ts';
import * as tape from './tape.ts';
import * as healthcheck from './healthcheck.ts';
import * as inspect from './inspect.ts';
import * as sim from './sim.ts';
import * as replay from './replay.ts';
import * as backtest from './backtest.ts';
import * as sweep from './sweep.ts';
import * as sampleData from './sample-data.ts';
import * as soak from './soak.ts';
import * as orders from './orders.ts';
import * as account from './account.ts';
import * as discover from './discover.ts';
import * as capture from './capture.ts';
import * as playback from './playback.ts';
import * as clobStandin from './clob-standin.ts';

/** Every subcommand module; each registers itself on the program. */
export const COMMANDS: Array<{ register(program: Command, io: CliIo): void }> = [run, config, compact, query, retention, truth, metar, nowcast, tape, healthcheck, inspect, sim, replay, backtest, sweep, sampleData, soak, capture, playback, clobStandin, discover, orders, account];
