import { describe, expect, it } from 'vitest';
import { webhookMessageId } from './webhook-message-id.js';

describe('webhookMessageId', () => {
  it('is msg_ and 26 Crockford base32 characters, sorting by time', () => {
    const a = webhookMessageId(1_765_000_000_000);
    const b = webhookMessageId(1_765_000_000_001);
    expect(a).toMatch(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a.slice(0, 14) < b.slice(0, 14)).toBe(true);
    expect(webhookMessageId()).not.toBe(webhookMessageId());
  });
});
