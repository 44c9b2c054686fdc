// Which nowcasts the Nowcast view shows, and which markets each one's buckets pair with. A
// station's next judge day is listed before its current one ends, so two days of the same bucket
// labels ("40-41°F") trade at once: a panel per (station, judge day), each with its own day's markets.

/**
 * The panels, by station then judge day: { station_id, judge_day, nowcast, markets: label → market }.
 * A station with dated bucket markets shows the days its listed markets are for (a resolved day's
 * markets retire, and its panel goes with them); one without (no markets, or undated buckets) shows
 * the nowcast of its newest judge day. An undated market pairs with any day's buckets.
 */
export function nowcastPanels(store) {
  const panels = [];
  const stations = [...store.stations.values()].filter((s) => s.nowcasts.size > 0).sort((a, b) => (a.station_id < b.station_id ? -1 : 1));
  for (const s of stations) {
    const buckets = [...store.markets.values()].filter((m) => m.station_id === s.station_id && m.label);
    const listedDays = new Set(buckets.map((m) => m.judge_day).filter((d) => d !== null));
    const days = [...s.nowcasts.keys()].sort();
    const shown = listedDays.size > 0 ? days.filter((d) => listedDays.has(d)) : days.slice(-1);
    for (const day of shown) {
      const markets = new Map();
      // The day's own market of a label before an undated one.
      for (const m of buckets) if (m.judge_day === day || (m.judge_day === null && !markets.has(m.label))) markets.set(m.label, m);
      panels.push({ station_id: s.station_id, judge_day: day, nowcast: s.nowcasts.get(day), markets });
    }
  }
  return panels;
}
