import { accept, refuse, type DiscoveryResult } from './result.ts';
import type { TemperatureUnit } from './temperature-buckets.ts';

/**
 * What the rule text of a daily-temperature event says, in the three templates seen in 2026
 * (notes/domain.md §1.1): Wunderground with "finalized" data (A), Wunderground settled when the next
 * day's first data point is published (B), and NOAA timeseries (optionally falling back to
 * Wunderground). Anything else is refused: the station, unit and source decide who wins.
 */
export interface TemperatureRule {
  metric: 'highest' | 'lowest';
  unit: TemperatureUnit;
  /** As written, e.g. "LaGuardia Airport Station". */
  station_name: string;
  /** ICAO id from the source URL, e.g. "KLGA". */
  station_id: string;
  source: 'wunderground' | 'noaa';
  source_url: string;
  /** The rules say the source measures whole degrees (the precision used to resolve). */
  whole_degrees: boolean;
  /** When the day's value becomes final. */
  finality: 'data_finalized' | 'next_day_first_datapoint' | 'unstated';
  /** NOAA rules that fall back to Wunderground when NOAA has no data in time. */
  fallback_url: string | null;
}

const SUBJECT = /\bthe (highest|lowest) temperature recorded (by NOAA )?at the (.+?) in degrees (Fahrenheit|Celsius)\b/i;
const WU_URL = /https?:\/\/(?:www\.)?wunderground\.com\/history\/daily\/[^\s"'<>)]*/i;
const NOAA_URL = /https?:\/\/(?:www\.)?weather\.gov\/wrh\/timeseries\?site=([A-Za-z0-9]{4})\b[^\s"'<>)]*/i;
const WHOLE_DEGREES = /measures temperatures to whole degrees (Fahrenheit|Celsius)/i;
const FINALIZED = /can ?not resolve to "?yes"? until all data for this date has been finalized/i;
const NEXT_DAY = /can ?not resolve until the first data ?point for the following date has been published/i;

export function parseTemperatureRule(text: string): DiscoveryResult<TemperatureRule> {
  const rules = text.replace(/\s+/g, ' ').replace(/[“”]/g, '"');
  const subject = SUBJECT.exec(rules);
  if (subject === null) return refuse('unknown_rule_text', 'no "the highest|lowest temperature recorded at the <station> in degrees <unit>" clause');
  const metric = subject[1]!.toLowerCase() === 'lowest' ? 'lowest' : 'highest';
  const unit: TemperatureUnit = subject[4]!.toLowerCase() === 'celsius' ? 'C' : 'F';
  const byNoaa = subject[2] !== undefined;
  const stationName = subject[3]!.trim();
  const wuUrl = WU_URL.exec(rules);
  const wuStation = wuUrl === null ? null : wundergroundStation(trimUrl(wuUrl[0]));
  if (wuUrl !== null && wuStation === null) return refuse('unknown_rule_text', `no station id in the Wunderground URL ${trimUrl(wuUrl[0])}`);
  const wu = wuUrl === null ? null : { url: wuUrl[0], station: wuStation! };
  const noaa = NOAA_URL.exec(rules);
  let source: TemperatureRule['source'];
  let url: { url: string; station: string };
  let fallback: string | null = null;
  if (byNoaa || /\bresolution source for this market will be (?:information from )?NOAA\b/i.test(rules)) {
    if (noaa === null) return refuse('unknown_rule_text', 'NOAA rules without a weather.gov timeseries URL');
    source = 'noaa';
    url = { url: noaa[0], station: noaa[1]! };
    fallback = wu === null ? null : trimUrl(wu.url);
  } else if (wu !== null) {
    if (noaa !== null) return refuse('unknown_rule_text', 'rules name both Wunderground and NOAA without saying which settles');
    source = 'wunderground';
    url = wu;
  } else {
    return refuse('unknown_rule_text', 'no Wunderground or NOAA source URL');
  }
  const whole = WHOLE_DEGREES.exec(rules);
  if (whole !== null && (whole[1]!.toLowerCase() === 'celsius' ? 'C' : 'F') !== unit) {
    return refuse('unknown_rule_text', `rules settle in °${unit} but state the precision in ${whole[1]}`);
  }
  const finalized = FINALIZED.test(rules);
  const nextDay = NEXT_DAY.test(rules);
  if (finalized && nextDay) return refuse('unknown_rule_text', 'rules state two different finality conditions');
  return accept({
    metric,
    unit,
    station_name: stationName,
    station_id: url.station.toUpperCase(),
    source,
    source_url: trimUrl(url.url),
    whole_degrees: whole !== null,
    finality: finalized ? 'data_finalized' : nextDay ? 'next_day_first_datapoint' : 'unstated',
    fallback_url: fallback,
  });
}

/**
 * The station of a Wunderground history URL: `…/history/daily/<country>/<region…>/<city>/<ICAO>`,
 * optionally followed by `/date/Y-M-D`. The last path segment before the date is the station;
 * a city word of four letters (`…/it/rome/LIRF`, `…/us/fl/fort-lauderdale/KFLL`) is not.
 */
export function wundergroundStation(url: string): string | null {
  const path = url.replace(/^https?:\/\/(?:www\.)?wunderground\.com\/history\/daily\//i, '').replace(/[?#].*$/, '');
  const segments = path.split('/').filter((s) => s.length > 0);
  const dated = segments.findIndex((s) => s.toLowerCase() === 'date');
  const last = (dated >= 0 ? segments.slice(0, dated) : segments).at(-1);
  return last !== undefined && /^[A-Za-z][A-Za-z0-9]{3}$/.test(last) ? last : null;
}

/** A URL at the end of a sentence: the full stop is not part of it. */
function trimUrl(url: string): string {
  return url.replace(/[.,;:]+$/, '');
}
