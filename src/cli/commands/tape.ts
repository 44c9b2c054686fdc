import type { Command } from 'commander';
import { decodeMarketFrame, decodeMarketValue, type DecodeResult } from '../../adapters/polymarket/market-decoder.ts';
import { viewBook } from '../../domain/book/book-view.ts';
import { MarketBooks } from '../../domain/book/market-books.ts';
import { EXIT } from '../exit-codes.ts';
import { readTextFile, type CliIo } from '../io.ts';

/**
 * `helios tape decode FILE...`: captured market-channel frames → NDJSON, one normalized message per
 * line, then one `book_summary` line per token seen (sorted by token id), from books rebuilt by
 * applying everything in file order. Input: NDJSON with one raw frame per line (an object, an
 * array, or a text frame such as PONG), or a `.json` file holding one frame or an array of them.
 * Malformed input goes to stderr with its line number and is skipped; exit 1 if there was any.
 */
export function register(program: Command, io: CliIo): void {
  const tape = program.command('tape').description('captured Polymarket market-channel data');
  tape
    .command('decode')
    .description('decode raw market-channel frames to NDJSON, then one book_summary line per token (exit 1 if any line was malformed)')
    .argument('<files...>', 'NDJSON (one frame per line) or .json (one frame or an array)')
    .option('--imbalance-levels <n>', 'levels per side for the summary imbalance', '5')
    .action((files: string[], opts: { imbalanceLevels: string }) => {
      const imbalanceLevels = Number(opts.imbalanceLevels);
      if (!Number.isInteger(imbalanceLevels) || imbalanceLevels < 1) {
        io.err(`helios tape decode: --imbalance-levels must be a positive integer, got ${opts.imbalanceLevels}\n`);
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      const texts: Array<[string, string]> = [];
      for (const file of files) {
        try {
          texts.push([file, readTextFile(file)]);
        } catch (err) {
          io.err(`helios tape decode: ${file}: ${(err as Error).message}\n`);
          io.exit(EXIT.CONFIG_ERROR);
          return;
        }
      }
      const run = new TapeDecodeRun(io);
      for (const [file, text] of texts) {
        if (file.toLowerCase().endsWith('.json')) run.jsonFile(file, text);
        else run.ndjsonFile(file, text);
      }
      run.finish(imbalanceLevels);
    });
}

class TapeDecodeRun {
  private readonly books = new MarketBooks();
  private malformed = 0;
  private out = '';

  constructor(private readonly io: CliIo) {}

  ndjsonFile(file: string, text: string): void {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      this.take(decodeMarketFrame(line), `${file}:${i + 1}`);
    }
  }

  /** One frame, or an array whose elements are each a frame (objects, or text frames as strings). */
  jsonFile(file: string, text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.malformedAt(`${file}:1`, 'invalid_json', (err as Error).message);
      return;
    }
    if (!Array.isArray(value)) {
      this.take(decodeMarketValue(value), `${file}:1`);
      return;
    }
    value.forEach((element: unknown, i) => {
      this.take(typeof element === 'string' ? decodeMarketFrame(element) : decodeMarketValue(element), `${file}: element ${i}`);
    });
  }

  finish(imbalanceLevels: number): void {
    for (const id of this.books.assetIds()) {
      const v = viewBook(this.books.get(id)!, { topLevels: 0, imbalanceLevels });
      this.emit({
        kind: 'book_summary',
        asset_id: v.asset_id,
        synced: v.synced,
        best_bid: v.best_bid,
        best_bid_size: v.best_bid_size,
        best_ask: v.best_ask,
        best_ask_size: v.best_ask_size,
        mid: v.mid,
        spread: v.spread,
        bid_levels: v.bid_levels,
        ask_levels: v.ask_levels,
        microprice: v.microprice,
        imbalance: v.imbalance,
      });
    }
    this.io.out(this.out);
    this.out = '';
    this.io.exit(this.malformed > 0 ? EXIT.DATA_ERROR : EXIT.OK);
  }

  private take(result: DecodeResult, where: string): void {
    if (result.error !== null) {
      const e = result.error;
      const element = e.element >= 0 ? ` (element ${e.element})` : '';
      this.malformedAt(where + element, e.reason, e.message);
      return;
    }
    for (const msg of result.messages) {
      this.emit(msg);
      this.books.apply(msg);
    }
  }

  private malformedAt(where: string, reason: string, message: string): void {
    this.malformed++;
    this.io.err(`${where}: malformed (${reason}): ${message}\n`);
  }

  private emit(record: object): void {
    this.out += JSON.stringify(record) + '\n';
    if (this.out.length > 1 << 20) {
      this.io.out(this.out);
      this.out = '';
    }
  }
}
