/**
 * Splits a flush's budget among the topics with events waiting, max-min fair: a topic wanting less
 * than an equal share takes all it wants and the rest is shared among the others, so one topic's
 * large backlog cannot hold back topics that came after it (their queues would fill to their
 * overflow policy while it drains). The whole budget is used while enough waits: the batch still
 * grows with the backlog up to the budget. What an equal split leaves over (fewer units than
 * topics still wanting) goes one each to the topics from position `turn` (modulo their number) on, wrapping around; `nextTurn` is
 * the topic after the last one served so, for the next flush: every topic is served within a
 * bounded number of flushes even when the budget is smaller than the number of topics.
 *
 * `shares`: how many events each topic takes, index for index with `wanted`.
 */
export function fairShares(wanted: readonly number[], budget: number, turn: number): { shares: number[]; nextTurn: number } {
  const n = wanted.length;
  const shares = new Array<number>(n).fill(0);
  let total = 0;
  for (const w of wanted) total += w;
  if (total <= budget) return { shares: wanted.slice(), nextTurn: turn };

  // The level: topics wanting less take all they want (smallest first), the rest take an equal
  // share of what is left; fewer units stay over than topics at the level.
  const bySize = [...wanted.keys()].sort((a, b) => wanted[a]! - wanted[b]! || a - b);
  let left = budget;
  let i = 0;
  for (; i < n; i++) {
    const topic = bySize[i]!;
    if (wanted[topic]! * (n - i) > left) break;
    shares[topic] = wanted[topic]!;
    left -= wanted[topic]!;
  }
  const level = Math.floor(left / (n - i));
  for (let j = i; j < n; j++) shares[bySize[j]!] = level;
  left -= level * (n - i);
  const start = turn % n;
  let nextTurn = start;
  for (let k = 0; k < n && left > 0; k++) {
    const topic = (start + k) % n;
    if (shares[topic]! < wanted[topic]!) {
      shares[topic]!++;
      left--;
      nextTurn = topic + 1;
    }
  }
  return { shares, nextTurn };
}
