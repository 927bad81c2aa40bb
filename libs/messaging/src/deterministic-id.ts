import { createHash } from 'node:crypto';

/**
 * A UUID derived from a name (RFC 4122 version 5 layout over SHA-256): the same timer or
 * job key always gives the same id, so scheduling it twice adds one job, not two.
 */
export function deterministicUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
