import { SmtpSink, buildMail, eventually, useStack, type CaughtMail, type TestMail } from '@careflow/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Inbound {
  id: string;
  status: string;
  reason: string | null;
  ticketId: string | null;
  ticketNumber: number | null;
  commentId: string | null;
  duplicateOf: string | null;
  from: string | null;
  subject: string | null;
  html: string | null;
  attachments: Array<{ id: string; filename: string; contentType: string; size: number; url: string | null }>;
}

/**
 * Support mail through the gateway, end to end: the raw message in, the ticket or comment it
 * becomes, the mail the shopper gets back (a real SMTP server catches it), and everything that
 * must not become a ticket.
 */
describe('inbound e-mail', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => sink?.stop());
  const system = useStack(() => ({
    env: { SMTP_URL: sink.url, MAIL_FROM: 'Shop Support <support@shop.test>', INBOUND_SENDER_LIMIT_PER_HOUR: '40' },
  }));

  const shopper = () => `shopper.${randomUUID().slice(0, 8)}@example.com`;
  const mailTo = (address: string): CaughtMail[] => sink.messages.filter((m) => m.envelope.to.includes(address));

  async function post(mail: TestMail | Buffer): Promise<string> {
    const raw = Buffer.isBuffer(mail) ? mail : buildMail(mail);
    const res = await system.api.post('/v1/inbound/email').set(system.admin()).set('content-type', 'message/rfc822').send(raw).expect(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'queued' });
    return res.body.id as string;
  }

  async function outcome(id: string): Promise<Inbound> {
    return eventually(async () => {
      const res = await system.api.get(`/v1/inbound/email/${id}`).set(system.admin()).expect(200);
      expect(res.body.status).not.toBe('queued');
      return res.body as Inbound;
    }, 20_000);
  }

  async function receive(mail: TestMail | Buffer): Promise<Inbound> {
    return outcome(await post(mail));
  }

  const ticket = async (id: string) => (await system.api.get(`/v1/tickets/${id}`).set(system.admin()).expect(200)).body;
  const comments = async (id: string) => (await system.api.get(`/v1/tickets/${id}/comments`).set(system.admin()).expect(200)).body.data;

  it('turns a new message into an e-mail ticket for its sender, and acknowledges it in the same thread', async () => {
    const from = shopper();
    const messageId = `<${randomUUID()}@mail.example.com>`;
    const result = await receive({ from: `Nguyễn Thị Lan <${from}>`, subject: 'Đơn hàng chưa tới', text: 'Tôi đặt hàng tuần trước mà chưa nhận được.', messageId });
    expect(result).toMatchObject({ status: 'ticket_created', from, subject: 'Đơn hàng chưa tới', ticketId: expect.any(String) });

    const t = await ticket(result.ticketId!);
    expect(t).toMatchObject({ channel: 'email', subject: 'Đơn hàng chưa tới', customer: expect.objectContaining({ email: from, name: 'Nguyễn Thị Lan' }) });
    expect(result.ticketNumber).toBe(t.number);

    const ack = await sink.waitFor((m) => m.envelope.to.includes(from));
    expect(ack.parsed.subject).toContain(`[#${t.number}]`);
    expect(ack.parsed.inReplyTo).toBe(messageId);
  });

  it('threads the shopper\'s reply to the agent\'s e-mail back into the ticket by its headers, and reopens a solved ticket', async () => {
    const from = shopper();
    const first = await receive({ from, subject: 'Broken mug', text: 'The handle came off.' });
    await system.api.post(`/v1/tickets/${first.ticketId}/comments`).set(system.admin()).send({ body: 'Sorry! A new one is on its way.', author: { type: 'agent', name: 'Minh' } }).expect(201);
    await system.api.patch(`/v1/tickets/${first.ticketId}`).set(system.admin()).send({ status: 'solved' }).expect(200);
    const agentMail = await sink.waitFor((m) => m.envelope.to.includes(from) && (m.parsed.text ?? '').includes('A new one is on its way'));

    // No ticket number in the subject: only In-Reply-To / References can place it.
    const reply = await receive({
      from,
      subject: 'Re: your mug',
      inReplyTo: agentMail.parsed.messageId!,
      references: [agentMail.parsed.messageId!],
      text: `Thank you, it arrived!\n\nOn Tue, 1 Dec 2026 at 10:00, Shop Support <support@shop.test> wrote:\n> Sorry! A new one is on its way.\n`,
    });
    expect(reply).toMatchObject({ status: 'appended', ticketId: first.ticketId, commentId: expect.any(String) });
    const thread = await comments(first.ticketId!);
    const added = thread.find((c: { id: string }) => c.id === reply.commentId);
    expect(added).toMatchObject({ public: true, author: expect.objectContaining({ type: 'customer', email: from }) });
    expect(added.body).toContain('Thank you, it arrived!');
    expect(added.body).not.toContain('A new one is on its way');
    expect((await ticket(first.ticketId!)).status).toBe('open');
  });

  it('threads by the [#number] in the subject, but a stranger with a valid number gets a ticket of their own', async () => {
    const from = shopper();
    const first = await receive({ from, subject: 'Invoice please', text: 'For order 1042.' });
    const byToken = await receive({ from, subject: `Re: [#${first.ticketNumber}] Invoice please`, text: 'Any news?' });
    expect(byToken).toMatchObject({ status: 'appended', ticketId: first.ticketId });

    const stranger = await receive({ from: shopper(), subject: `[#${first.ticketNumber}] I guessed a number`, text: 'Let me in.' });
    expect(stranger.status).toBe('ticket_created');
    expect(stranger.ticketId).not.toBe(first.ticketId);
    expect(stranger.reason).toMatch(/participant/);
  });

  it('opens a follow-up ticket for a reply to a closed ticket', async () => {
    const from = shopper();
    const first = await receive({ from, subject: 'Return label', text: 'Need a label.' });
    await system.api.patch(`/v1/tickets/${first.ticketId}`).set(system.admin()).send({ status: 'solved' }).expect(200);
    await system.api.patch(`/v1/tickets/${first.ticketId}`).set(system.admin()).send({ status: 'closed' }).expect(200);
    const later = await receive({ from, subject: `Re: [#${first.ticketNumber}] Return label`, text: 'The label expired.' });
    expect(later.status).toBe('ticket_created');
    expect(later.ticketId).not.toBe(first.ticketId);
    expect((await ticket(later.ticketId!)).followUpOf ?? (await ticket(later.ticketId!)).followUpOfTicketId ?? first.ticketId).toBe(first.ticketId);
    expect((await ticket(first.ticketId!)).status).toBe('closed');
  });

  it('ignores automatic replies and mail from its own address: no ticket, no mail sent', async () => {
    const from = shopper();
    const ooo = await receive({ from, subject: 'Automatic reply: Your request', text: 'I am out of office until Monday.', headers: ['Auto-Submitted: auto-replied'] });
    expect(ooo).toMatchObject({ status: 'ignored_auto_reply', ticketId: null });
    const bulk = await receive({ from, subject: 'Newsletter', text: 'Deals!', headers: ['Precedence: bulk'] });
    expect(bulk.status).toBe('ignored_auto_reply');
    const own = await receive({ from: 'Shop Support <support@shop.test>', subject: 'Loop?', text: 'Our own mail came back.' });
    expect(own.status).toBe('ignored_auto_reply');
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailTo(from)).toHaveLength(0);
  });

  it('gives mailing-list mail a ticket but no acknowledgement', async () => {
    const from = shopper();
    const list = await receive({ from, subject: 'Question from the list', text: 'Do you ship to Tartu?', headers: ['List-Id: <customers.shop.test>'] });
    expect(list.status).toBe('ticket_created');
    await eventually(async () => {
      const log = await system.api.get('/v1/notifications').query({ template: 'ticket_acknowledged', status: 'suppressed' }).set(system.admin()).expect(200);
      expect(log.body.data.some((n: { to: string }) => n.to === from)).toBe(true);
    });
    expect(mailTo(from)).toHaveLength(0);
  });

  it('takes a bounce as a bounce: the address is undeliverable and the next mail to it is suppressed', async () => {
    const from = shopper();
    const first = await receive({ from, subject: 'Where is my parcel', text: 'Tracking?' });
    const ack = await sink.waitFor((m) => m.envelope.to.includes(from));
    const dsnBoundary = 'dsn_b0undary';
    const dsn = Buffer.from(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.shop.test>',
        'To: support@shop.test',
        'Subject: Undelivered Mail Returned to Sender',
        `Message-ID: <${randomUUID()}@mx.shop.test>`,
        'Auto-Submitted: auto-replied',
        'MIME-Version: 1.0',
        `Content-Type: multipart/report; report-type=delivery-status; boundary="${dsnBoundary}"`,
        '',
        `--${dsnBoundary}`,
        'Content-Type: text/plain; charset=us-ascii',
        '',
        `I'm sorry to have to inform you that your message could not be delivered to <${from}>.`,
        '',
        `--${dsnBoundary}`,
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.shop.test',
        '',
        `Final-Recipient: rfc822; ${from}`,
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
        '',
        `--${dsnBoundary}`,
        'Content-Type: text/rfc822-headers',
        '',
        `Message-ID: ${ack.parsed.messageId}`,
        `To: ${from}`,
        'Subject: whatever',
        '',
        `--${dsnBoundary}--`,
        '',
      ].join('\r\n'),
    );
    const bounce = await receive(dsn);
    expect(bounce.status).toBe('bounce');
    expect(bounce.ticketId).toBeNull();

    // The ticket of the bounced mail gets an internal note saying why.
    await eventually(async () => {
      const notes = (await comments(first.ticketId!)).filter((c: { public: boolean }) => !c.public);
      expect(notes.map((n: { body: string }) => n.body).join('\n')).toContain('5.1.1');
    });
    // The next mail to the address is not sent, and the log says why.
    await system.api.post(`/v1/tickets/${first.ticketId}/comments`).set(system.admin()).send({ body: 'It ships tomorrow.', author: { type: 'agent', name: 'Minh' } }).expect(201);
    await eventually(async () => {
      const log = await system.api.get('/v1/notifications').query({ template: 'ticket_reply' }).set(system.admin()).expect(200);
      const reply = log.body.data.find((n: { to: string }) => n.to === from);
      expect(reply).toMatchObject({ status: 'suppressed', error: expect.stringContaining('5.1.1') });
    });
    expect(mailTo(from)).toHaveLength(1);
  });

  it('makes one ticket of a message delivered twice at the same moment; the other copy is a duplicate', async () => {
    const raw = buildMail({ from: shopper(), subject: 'Sent twice', text: 'Same message, two routes.', messageId: `<${randomUUID()}@mail.example.com>` });
    const ids = await Promise.all([post(raw), post(raw), post(raw)]);
    const results = await Promise.all(ids.map(outcome));
    const created = results.filter((r) => r.status === 'ticket_created');
    expect(created).toHaveLength(1);
    expect(results.filter((r) => r.status === 'duplicate').map((r) => r.duplicateOf)).toEqual([created[0]!.id, created[0]!.id]);
  });

  it('routes by recipient to the group whose address it is, plus-addressing included; the default otherwise', async () => {
    const key = `returns_${randomUUID().slice(0, 6)}`;
    const address = `${key}@shop.test`;
    await system.api.post('/v1/groups').set(system.admin()).send({ key, name: 'Returns', inboundAddresses: [address] }).expect(201);
    const direct = await receive({ from: shopper(), to: address, subject: 'Return', text: 'I want to return it.' });
    expect((await ticket(direct.ticketId!)).group).toBe(key);
    const plus = await receive({ from: shopper(), to: `${key}+vip@shop.test`, subject: 'Return (VIP)', text: 'Please.' });
    expect((await ticket(plus.ticketId!)).group).toBe(key);
    const other = await receive({ from: shopper(), to: 'hello@shop.test', subject: 'Hi', text: 'Hello.' });
    expect((await ticket(other.ticketId!)).group).not.toBe(key);
  });

  it('keeps only sanitized HTML, and lists attachments on the comment with a working download', async () => {
    const from = shopper();
    const first = await receive({ from, subject: 'Photos of the damage', text: 'See below.' });
    const pdf = Buffer.from('%PDF-1.4\n% receipt\n', 'latin1');
    const reply = await receive({
      from,
      subject: `Re: [#${first.ticketNumber}] Photos of the damage`,
      text: 'Receipt attached.',
      html: '<p onclick="steal()">Receipt <b>attached</b>.<script>alert(1)</script><a href="javascript:alert(2)">x</a><img src=x onerror=alert(3)></p>',
      attachments: [{ filename: 'receipt.pdf', contentType: 'application/pdf', content: pdf }],
    });
    expect(reply.status).toBe('appended');
    expect(reply.html).toContain('<b>attached</b>');
    for (const bad of ['<script', 'onclick', 'onerror', 'javascript:']) expect(reply.html).not.toContain(bad);

    const comment = (await comments(first.ticketId!)).find((c: { id: string }) => c.id === reply.commentId);
    expect(comment.attachments).toEqual([{ name: 'receipt.pdf', contentType: 'application/pdf', size: pdf.length, contentRef: expect.stringMatching(/^\/v1\/inbound\/email\//) }]);
    const download = await system.api.get(comment.attachments[0].contentRef).set(system.admin()).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.headers['content-disposition']).toContain('receipt.pdf');
    expect(Buffer.compare(download.body as Buffer, pdf)).toBe(0);
  });

  it('rejects what is not mail with a reason and never leaves it queued; refuses bad requests at the door', async () => {
    expect(await receive(Buffer.from('this is not an e-mail at all'))).toMatchObject({ status: 'rejected', reason: expect.any(String) });
    expect(await receive(Buffer.from('Subject: no sender\r\n\r\nbody\r\n'))).toMatchObject({ status: 'rejected', reason: expect.any(String) });
    const nul = await receive(Buffer.from(`From: a@example.com\r\nSubject: nul\u0000byte\r\n\r\nbo\u0000dy\r\n`, 'latin1'));
    expect(nul.status).not.toBe('queued');

    const empty = await system.api.post('/v1/inbound/email').set(system.admin()).set('content-type', 'message/rfc822').send(Buffer.alloc(0));
    expect(empty.status).toBe(400);
    const json = await system.api.post('/v1/inbound/email').set(system.admin()).send({ raw: 'From: a@b' });
    expect(json.status).toBe(415);
    expect(json.headers['content-type']).toContain('application/problem+json');
  });

  it('holds one sender to INBOUND_SENDER_LIMIT_PER_HOUR: an autoresponder storm does not open a ticket per message', async () => {
    const from = shopper();
    // No auto-reply headers: a misconfigured autoresponder, 45 messages at once against a limit of 40.
    const ids = await Promise.all(Array.from({ length: 45 }, (_, i) => post({ from, subject: `Your message was received (${i})`, text: 'Thanks for writing.' })));
    const results = await Promise.all(ids.map(outcome));
    expect(results.filter((r) => r.status === 'ticket_created' || r.status === 'appended')).toHaveLength(40);
    expect(results.filter((r) => r.status === 'rejected').map((r) => r.reason)).toEqual(Array(5).fill('sender-rate-limited'));
  });

  it('survives hostile MIME: 1000-deep nesting is rejected, an attachment over the cap is listed without its content', async () => {
    const from = shopper();
    const depth = 1000;
    const open = Array.from({ length: depth }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`).join('');
    const close = Array.from({ length: depth }, (_, i) => `\r\n--b${depth - 1 - i}--`).join('');
    const nested = Buffer.from(`From: ${from}\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${open}Content-Type: text/plain\r\n\r\nhi${close}\r\n`);
    expect(await receive(nested)).toMatchObject({ status: 'rejected', reason: 'nesting-too-deep' });

    // 11 MB of base64 against INBOUND_ATTACHMENT_MAX_BYTES (10 MB by default).
    const big = Buffer.alloc(11 * 1024 * 1024, 7);
    const huge = await receive({ from, subject: 'Video of the damage', text: 'Attached.', attachments: [{ filename: 'video.mp4', contentType: 'video/mp4', content: big }] });
    expect(huge.status).toBe('ticket_created');
    expect(huge.attachments).toEqual([expect.objectContaining({ filename: 'video.mp4', size: big.length, omitted: 'too-large', url: null })]);
  });

  it('lists messages by status and sender', async () => {
    const from = shopper();
    await receive({ from, subject: 'One', text: '1' });
    await receive({ from, subject: 'OOO', text: 'away', headers: ['X-Autoreply: yes'] });
    const all = await system.api.get('/v1/inbound/email').query({ from }).set(system.admin()).expect(200);
    expect(all.body.data.map((e: Inbound) => e.subject)).toEqual(['OOO', 'One']);
    const ignored = await system.api.get('/v1/inbound/email').query({ from, status: 'ignored_auto_reply' }).set(system.admin()).expect(200);
    expect(ignored.body.data.map((e: Inbound) => e.subject)).toEqual(['OOO']);
    const bad = await system.api.get('/v1/inbound/email').query({ status: 'lost' }).set(system.admin()).expect(400);
    expect(bad.body.errors[0].field).toBe('status');
  });
});
