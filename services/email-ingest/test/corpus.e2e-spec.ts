import { SmtpSink, eventually, useStack } from '@careflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusMessage, loadCorpus } from './corpus/manifest.js';

const corpus = loadCorpus();

/**
 * The corpus (services/email-ingest/test/corpus) through the running system, in order, each
 * message POSTed raw through the gateway: the final status each must reach, and what the
 * ticket or comment shows. The parser spec checks the same files field by field; this checks
 * what the services decide with them (threading, participants, duplicates, loops, bounces).
 */
describe('the inbound mail corpus, end to end', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await SmtpSink.start(0, { parse: false });
  });
  afterAll(async () => sink?.stop());
  const system = useStack(() => ({ env: { SMTP_URL: sink.url, MAIL_FROM: 'Support <support@shop.test>' } }));

  const results = new Map<string, { id: string; status: string; ticketId: string | null; commentId: string | null; duplicateOf: string | null; reason: string | null }>();

  it(`has at least 60 messages`, () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
  });

  for (const entry of corpus) {
    it(`${entry.file}: ${entry.description} → ${entry.outcome}`, async () => {
      const raw = corpusMessage(entry.file);
      const posted = await system.api.post('/v1/inbound/email').set(system.admin()).set('content-type', 'message/rfc822').send(raw).expect(202);
      const result = await eventually(async () => {
        const res = await system.api.get(`/v1/inbound/email/${posted.body.id}`).set(system.admin()).expect(200);
        expect(res.body.status).not.toBe('queued');
        return res.body;
      }, 20_000);
      results.set(entry.file, result);

      expect(result.status, `reason: ${result.reason}`).toBe(entry.outcome);
      if (entry.outcome === 'rejected' && entry.reason) expect(result.reason).toBe(entry.reason);
      if (entry.outcome !== 'rejected') {
        if (entry.subject !== undefined) expect(result.subject).toBe(entry.subject);
        if (entry.from !== undefined) expect(result.from).toBe(entry.from);
      }
      if (entry.appendsTo) {
        const original = results.get(entry.appendsTo);
        expect(original, `${entry.appendsTo} runs before ${entry.file}`).toBeDefined();
        expect(result.ticketId).toBe(original!.ticketId);
      }
      if (entry.duplicateOf) expect(result.duplicateOf).toBe(results.get(entry.duplicateOf)?.id);

      if (entry.outcome === 'ticket_created' || entry.outcome === 'appended') {
        const ticket = await system.api.get(`/v1/tickets/${result.ticketId}`).set(system.admin()).expect(200);
        expect(ticket.body.channel).toBe('email');
        if (entry.outcome === 'appended') {
          const comments = await system.api.get(`/v1/tickets/${result.ticketId}/comments`).set(system.admin()).expect(200);
          const comment = comments.body.data.find((c: { id: string }) => c.id === result.commentId);
          expect(comment).toBeDefined();
          for (const gone of entry.strippedTextNotContains ?? []) expect(comment.body).not.toContain(gone);
        }
        for (const bad of entry.htmlNotContains ?? []) expect(result.html ?? '').not.toContain(bad);
        if (entry.attachments) expect(result.attachments.map((a: { filename: string }) => a.filename)).toEqual(entry.attachments);
      }
    });
  }
});
