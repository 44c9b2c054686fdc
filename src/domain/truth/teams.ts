/**
 * Team-name matching between sources and Polymarket outcomes, which are team names ("FaZe",
 * "illwill"), not YES/NO. Polymarket resolves on the real-world team despite "abbreviations,
 * alternate spellings, sponsor tags ... minor formatting differences", but 50-50 when a name could
 * mean another team; so matching is generous about spelling and refuses anything ambiguous.
 */

/** Words that decorate team names without telling teams apart. */
const NOISE_WORDS = new Set(['team', 'esports', 'esport', 'gaming', 'clan', 'club', 'gg', 'the']);

interface TeamName {
  /** The words that tell teams apart, joined: what spellings are compared by. */
  key: string;
  /** Every word, decorations included (an acronym may use them: the E of "HLE" is Esports). */
  words: readonly string[];
}

const normalized = new Map<string, TeamName>();
const MAX_CACHED = 10_000;

/** "FaZe Clan" → "faze", "Team Liquid" → "liquid", "Natus Vincere" → "natusvincere". */
export function normalizeTeamName(name: string): string {
  return teamName(name).key;
}

function teamName(name: string): TeamName {
  const hit = normalized.get(name);
  if (hit !== undefined) return hit;
  const parsed = parseName(name);
  // Team names are few; the cap only guards against a source spraying junk.
  if (normalized.size >= MAX_CACHED) normalized.clear();
  normalized.set(name, parsed);
  return parsed;
}

function parseName(name: string): TeamName {
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
  return { key: (kept.length > 0 ? kept : words).join(''), words };
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
/** An acronym is one word of this many letters or digits ("T1" is matched whole, not as initials). */
const MIN_ACRONYM = 2;
const MAX_ACRONYM = 5;
/** Words an acronym may leave out besides the decorations ("NIP" keeps the "in", "HL" drops "Esports"). */
const SKIPPABLE_WORDS = new Set([...NOISE_WORDS, 'of', 'in', 'and']);

/**
 * Whether `acronym` (a normalized single word) abbreviates the multi-word name `words`: split into
 * consecutive pieces, one per word in order, each piece starting with its word's first letter and
 * the rest of it letters of that word in order ("HLE" = Hanwha Life Esports, "BLG" = BiLibili
 * Gaming, "JDG" = JD Gaming, "TES" = Top ESports). Every word but the skippable ones gives a piece
 * and at least two words do, so a prefix of one word ("GEN" of Gen.G) is the prefix rule's business.
 */
export function isAcronymOf(acronym: string, words: readonly string[]): boolean {
  if (acronym.length < MIN_ACRONYM || acronym.length > MAX_ACRONYM || words.length < 2) return false;
  // Memoized: a junk name of many skippable words would otherwise branch at each of them.
  const seen = new Map<number, boolean>();
  const fits = (at: number, wi: number, used: number): boolean => {
    const memo = (at * (words.length + 1) + wi) * 3 + Math.min(used, 2);
    const known = seen.get(memo);
    if (known !== undefined) return known;
    const r = fitsFrom(at, wi, used);
    seen.set(memo, r);
    return r;
  };
  const fitsFrom = (at: number, wi: number, used: number): boolean => {
    if (at === acronym.length) return used >= 2 && words.slice(wi).every((w) => SKIPPABLE_WORDS.has(w));
    if (wi === words.length) return false;
    const word = words[wi]!;
    if (SKIPPABLE_WORDS.has(word) && fits(at, wi + 1, used)) return true;
    if (acronym[at] !== word[0]) return false;
    // Longer and longer pieces of this word: each next letter found further along the word.
    let pos = 0;
    for (let end = at + 1; ; end++) {
      if (fits(end, wi + 1, used + 1)) return true;
      if (end === acronym.length) return false;
      pos = word.indexOf(acronym[end]!, pos + 1);
      if (pos < 0) return false;
    }
  };
  return fits(0, 0, 0);
}

/** One name is a one-word acronym of the other, multi-word one (either way round). */
function acronymMatch(a: TeamName, b: TeamName): boolean {
  const abbreviates = (x: TeamName, y: TeamName) => x.words.length === 1 && isAcronymOf(x.key, y.words);
  return abbreviates(a, b) || abbreviates(b, a);
}

function prefixMatch(k: string, ok: string): boolean {
  return Math.min(k.length, ok.length) >= MIN_PREFIX && (ok.startsWith(k) || k.startsWith(ok));
}

/**
 * The outcomes a source's team name could refer to, by the first rule that fits any: the same
 * name, a configured alias, then a prefix or an acronym (one rule: a name that is a prefix of one
 * team and the acronym of the other fits both). More than one means ambiguous.
 * `candidates` are spellings of one team from one source (e.g. PandaScore's name and acronym).
 */
export function teamMatches(
  candidates: readonly string[],
  outcomes: readonly string[],
  aliases: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): string[] {
  const names = candidates.map(teamName).filter((n) => n.key !== '');
  if (names.length === 0) return [];
  const keys = names.map((n) => n.key);
  const outcomeNames = outcomes.map(teamName);
  const strategies: Array<(o: TeamName) => boolean> = [
    (o) => keys.includes(o.key),
    (o) => keys.some((k) => aliases.get(k)?.has(o.key) === true),
    (o) => names.some((n) => prefixMatch(n.key, o.key) || acronymMatch(n, o)),
  ];
  for (const hit of strategies) {
    const found = outcomes.filter((_, i) => hit(outcomeNames[i]!));
    if (found.length > 0) return found;
  }
  return [];
}

/** The outcome a source's team name refers to, or null when none or more than one could be meant. */
export function resolveTeam(
  candidates: readonly string[],
  outcomes: readonly string[],
  aliases: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): string | null {
  const found = teamMatches(candidates, outcomes, aliases);
  return found.length === 1 ? found[0]! : null;
}
