import { ConfigError, loadConfig } from '@careflow/platform';
import { describe, expect, it } from 'vitest';
import { EmailIngestConfig } from '../../config/email-ingest.config.js';

const base = { PORT: '3002', INTERNAL_TOKEN: 'x'.repeat(16) };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(EmailIngestConfig, { ...base, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('inbound SMTP and provider settings', () => {
  it('are off by default', () => {
    const config = loadConfig(EmailIngestConfig, base);
    expect(config.INBOUND_SMTP_PORT).toBe(0);
    expect(config.INBOUND_SMTP_DOMAINS).toEqual([]);
    expect(config.INBOUND_SMTP_HOST).toBeUndefined();
    expect(config.MAILGUN_WEBHOOK_SIGNING_KEY).toBeUndefined();
    expect(config.POSTMARK_INBOUND_USERNAME).toBeUndefined();
  });

  it('reads the domain list, trimmed, lower-cased and without duplicates', () => {
    const config = loadConfig(EmailIngestConfig, { ...base, INBOUND_SMTP_PORT: '2525', INBOUND_SMTP_DOMAINS: ' Shop.Example, support.shop.example ,shop.example' });
    expect(config.INBOUND_SMTP_DOMAINS).toEqual(['shop.example', 'support.shop.example']);
  });

  it('refuses to start the listener without domains (it would accept nothing, or be read as a relay)', () => {
    expect(problems({ INBOUND_SMTP_PORT: '2525' }).join('\n')).toMatch(/^INBOUND_SMTP_DOMAINS: .*when INBOUND_SMTP_PORT is set/m);
    expect(problems({ INBOUND_SMTP_PORT: '2525', INBOUND_SMTP_DOMAINS: 'not a domain' }).join('\n')).toMatch(/INBOUND_SMTP_DOMAINS must be domain names/);
  });

  it('wants a TLS certificate and key together, and Postmark credentials together', () => {
    expect(problems({ INBOUND_SMTP_TLS_CERT: '/etc/cert.pem' }).join('\n')).toMatch(/INBOUND_SMTP_TLS_KEY: INBOUND_SMTP_TLS_CERT and INBOUND_SMTP_TLS_KEY must be set together/);
    expect(problems({ POSTMARK_INBOUND_USERNAME: 'postmark' }).join('\n')).toMatch(/POSTMARK_INBOUND_PASSWORD/);
    expect(problems({ POSTMARK_INBOUND_USERNAME: 'postmark', POSTMARK_INBOUND_PASSWORD: 'short' }).join('\n')).toMatch(/POSTMARK_INBOUND_PASSWORD/);
    expect(problems({ POSTMARK_INBOUND_USERNAME: 'postmark', POSTMARK_INBOUND_PASSWORD: 'a-long-enough-secret' })).toEqual([]);
  });

  it('takes only an IP address to listen on', () => {
    expect(problems({ INBOUND_SMTP_HOST: 'everywhere' }).join('\n')).toMatch(/INBOUND_SMTP_HOST must be an IP address/);
  });
});
