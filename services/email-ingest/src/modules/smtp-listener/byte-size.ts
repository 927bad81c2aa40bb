const UNITS: Record<string, number> = { kb: 1024, mb: 1024 * 1024 };

/** A size as the config accepts it (`512kb`, `25mb`), in bytes, as body-parser counts it. */
export function byteSize(size: string): number {
  const match = /^(\d+)(kb|mb)$/.exec(size);
  if (!match) throw new Error(`not a size: ${size}`);
  return Number(match[1]) * UNITS[match[2]!]!;
}
