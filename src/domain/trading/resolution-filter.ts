import type { RiskConfig } from '../../config/sections/trading.ts';

/** What a market says about how it resolves (Gamma: question, description, resolutionSource). */
export interface MarketRules {
  question: string;
  rules: string;
  resolution_source: string | null;
}

export type Admission = { ok: true; reasons: [] } | { ok: false; reasons: string[] };

/**
 * Resolution-risk filter: refuse markets whose settlement criteria are ambiguous or not understood
 * (DQs, remakes, rulebook reversals); trading a correct view on an unclear rule is still a loss.
 */
export function assessResolutionRisk(m: MarketRules, cfg: RiskConfig['resolution_filter']): Admission {
  if (!cfg.enabled) return { ok: true, reasons: [] };
  const reasons: string[] = [];
  const text = `${m.question}\n${m.rules}`.toLowerCase();
  if (m.rules.trim().length < cfg.min_rules_chars) reasons.push(`rules too short (${m.rules.trim().length} < ${cfg.min_rules_chars} chars)`);
  if (cfg.require_resolution_source && !m.resolution_source?.trim()) reasons.push('no resolution source named');
  for (const phrase of cfg.ambiguous_phrases) {
    if (text.includes(phrase.toLowerCase())) reasons.push(`ambiguous wording: "${phrase}"`);
  }
  return reasons.length ? { ok: false, reasons } : { ok: true, reasons: [] };
}
