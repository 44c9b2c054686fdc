/**
 * Team-name matching between sources and Polymarket outcomes, which are team names ("FaZe",
 * "illwill"), not YES/NO. Polymarket resolves on the real-world team despite "abbreviations,
 * alternate spellings, sponsor tags ... minor formatting differences", but 50-50 when a name could
 * mean another team; so matching is generous about spelling and refuses anything ambiguous.
 */

/** Words that decorate team names without telling teams apart. */
const NOISE_WORDS = new Set(['team', 'esports', 'esport', 'gaming', 'clan', 'club', 'gg', 'the']);

const normalized = new Map<string, string>();
const MAX_CACHED = 10_000;

/** "FaZe Clan" → "faze", "Team Liquid" → "liquid", "Natus Vincere" → "natusvincere". */
export function normalizeTeamName(name: string): string {
  const hit = normalized.get(name);
  if (hit !== undefined) return hit;
  const key = computeKey(name);
  // Team names are few; the cap only guards against a source spraying junk.
  if (normalized.size >= MAX_CACHED) normalized.clear();
  normalized.set(name, key);
  return key;
}

function computeKey(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\be[\s.-]+sports?\b/g, 'esports')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((w) => w !== '');
  const kept = words.filter((w) => !NOISE_WORDS.has(w));
  return (kept.length > 0 ? kept : words).join('');
}

export type TeamAliases = Readonly<Record<string, readonly string[]>>;

/** Alias groups as sets of normalized keys, each group keyed by every member. */
export function aliasIndex(aliases: TeamAliases): Map<string, ReadonlySet<string>> {
  const index = new Map<string, Set<string>>();
  for (const canonical of Object.keys(aliases).sort()) {
    const group = new Set([canonical, ...(aliases[canonical] ?? [])].map(normalizeTeamName).filter((k) => k !== ''));
    for (const key of group) {
      const existing = index.get(key);
      if (existing) for (const k of group) existing.add(k);
      else index.set(key, group);
    }
  }
  return index;
}

const MIN_PREFIX = 3;

/**
 * The outcome a source's team name refers to, or null when none or more than one could be meant.
 * `candidates` are spellings of one team from one source (e.g. PandaScore's name and acronym).
 */
export function resolveTeam(
  candidates: readonly string[],
  outcomes: readonly string[],
  aliases: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): string | null {
  const keys = candidates.map(normalizeTeamName).filter((k) => k !== '');
  if (keys.length === 0) return null;
  const outcomeKeys = outcomes.map(normalizeTeamName);
  const pick = (hit: (outcomeKey: string) => boolean): string | null | undefined => {
    const found = outcomes.filter((_, i) => hit(outcomeKeys[i]!));
    if (found.length === 1) return found[0]!;
    return found.length > 1 ? null : undefined;
  };
  const strategies: Array<(ok: string) => boolean> = [
    (ok) => keys.includes(ok),
    (ok) => keys.some((k) => aliases.get(k)?.has(ok) === true),
    (ok) => keys.some((k) => Math.min(k.length, ok.length) >= MIN_PREFIX && (ok.startsWith(k) || k.startsWith(ok))),
  ];
  for (const hit of strategies) {
    const r = pick(hit);
    if (r !== undefined) return r;
  }
  return null;
}
