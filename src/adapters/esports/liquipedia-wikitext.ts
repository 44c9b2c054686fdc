/**
 * Reading match results out of Liquipedia wikitext: Match2 `{{Match|opponent1={{TeamOpponent|x|score=2}}|...|winner=1}}`
 * and legacy `{{MatchMaps|team1=x|team2=y|games1=2|games2=0|winner=1}}` templates.
 */
export interface WikiMatch {
  teams: [string, string];
  scores: [number | null, number | null];
  /** 1 or 2: that opponent won; 0: draw; null: no result entered yet. */
  winner: 0 | 1 | 2 | null;
}

/** Top-level `{{Name ...}}` template bodies (without the braces) whose name is one of `names`. */
export function templates(text: string, names: readonly string[]): string[] {
  const out: string[] = [];
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  let i = 0;
  while ((i = text.indexOf('{{', i)) >= 0) {
    const end = matchingClose(text, i);
    if (end < 0) break;
    const body = text.slice(i + 2, end);
    const name = body.split(/[|\n]/, 1)[0]!.trim().toLowerCase();
    if (wanted.has(name)) {
      out.push(body);
      i = end + 2;
    } else {
      i += 2;
    }
  }
  return out;
}

function matchingClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length - 1; i++) {
    if (text[i] === '{' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && text[i + 1] === '}') {
      depth--;
      i++;
      if (depth === 0) return i - 1;
    }
  }
  return -1;
}

/** Splits a template body into positional and named parameters at nesting depth 0. */
export function templateParams(body: string): { positional: string[]; named: Record<string, string> } {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < body.length; i++) {
    const two = body.slice(i, i + 2);
    if (two === '{{' || two === '[[') {
      depth++;
      cur += two;
      i++;
    } else if (two === '}}' || two === ']]') {
      depth--;
      cur += two;
      i++;
    } else if (body[i] === '|' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else {
      cur += body[i];
    }
  }
  parts.push(cur);
  const positional: string[] = [];
  const named: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    const braces = p.indexOf('{{');
    if (eq > 0 && (braces < 0 || eq < braces)) named[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    else positional.push(p.trim());
  }
  return { positional, named };
}

function winnerOf(raw: string | undefined): 0 | 1 | 2 | null {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '1') return 1;
  if (v === '2') return 2;
  if (v === '0' || v === 'draw') return 0;
  return null;
}

function intOrNull(raw: string | undefined): number | null {
  return raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : null;
}

function opponent(raw: string | undefined): { name: string; score: number | null } | null {
  if (!raw) return null;
  const inner = templates(raw, ['TeamOpponent', 'Opponent', '1Opponent'])[0];
  if (!inner) return null;
  const { positional, named } = templateParams(inner);
  const name = positional[0] ?? named.template ?? named.name ?? '';
  return name === '' ? null : { name, score: intOrNull(named.score) };
}

export function parseWikiMatches(wikitext: string): WikiMatch[] {
  const out: WikiMatch[] = [];
  for (const body of templates(wikitext, ['Match', 'Match2'])) {
    const { named } = templateParams(body);
    const a = opponent(named.opponent1);
    const b = opponent(named.opponent2);
    if (!a || !b) continue;
    out.push({ teams: [a.name, b.name], scores: [a.score, b.score], winner: winnerOf(named.winner) });
  }
  for (const body of templates(wikitext, ['MatchMaps'])) {
    const { named } = templateParams(body);
    if (!named.team1 || !named.team2) continue;
    out.push({ teams: [named.team1, named.team2], scores: [intOrNull(named.games1), intOrNull(named.games2)], winner: winnerOf(named.winner) });
  }
  return out;
}
