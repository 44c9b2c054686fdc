/** Every bus channel. Live and replay publish on the same channels with the same payloads. */
export const CHANNELS = [
  'l2',
  'l2_delta',
  'tape',
  'world',
  'features',
  'nowcast',
  'truth',
  'policy',
  'order',
  'fill',
  'position',
  'risk',
  'health',
  'control',
  'window',
] as const;

export type Channel = (typeof CHANNELS)[number];

export function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}
