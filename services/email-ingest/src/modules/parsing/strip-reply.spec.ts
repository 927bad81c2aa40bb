import EmailReplyParser from 'email-reply-parser';
import { describe, expect, it } from 'vitest';
import { stripReply } from './strip-reply.js';

describe('stripReply', () => {
  it.each([
    ['Gmail, wrapped attribution', 'New answer.\n\nOn Mon, Jun 3, 2024 at 10:20 AM Shop Support <support@shop.test>\nwrote:\n\n> old text\n'],
    ['Apple Mail', 'New answer.\n\n> On 4 Jun 2024, at 19:50, Shop <support@shop.test> wrote:\n>\n> old text\n'],
    ['Outlook, Original Message', 'New answer.\n\n-----Original Message-----\nFrom: Shop <support@shop.test>\nSent: Monday\nTo: me\nSubject: x\n\nold text\n'],
    ['Outlook, header block', 'New answer.\n\n________________________________\nFrom: Shop Support\nSent: Tuesday, June 4, 2024 9:02 AM\nTo: Bob\nSubject: Re: x\n\nold text\n'],
    ['Vietnamese Gmail', 'New answer.\n\nVào Th 5, 6 thg 6, 2024 lúc 10:00 Shop <support@shop.test> đã viết:\n> old text\n'],
    ['Vietnamese Outlook', 'New answer.\n\nTừ: Shop <support@shop.test>\nĐã gửi: Thứ Sáu, 7 tháng 6, 2024\nĐến: Hùng\nChủ đề: x\n\nold text\n'],
    ['Estonian Gmail', 'New answer.\n\nShop <support@shop.test> kirjutas kuupäeval R, 7. juuni 2024 kell 14:00:\n> old text\n'],
    ['Estonian Thunderbird', 'New answer.\n\n07.06.2024 14:00, Shop Returns kirjutas:\n> old text\n'],
    ['Estonian Outlook', 'New answer.\n\nSaatja: Shop <support@shop.test>\nSaadetud: reede, 7. juuni 2024 14:00\nAdressaat: Anna\nTeema: x\n\nold text\n'],
    ['French (library)', 'New answer.\n\nLe lun. 3 juin 2024 à 10:20, Shop <support@shop.test> a écrit :\n> old text\n'],
    ['signature', 'New answer.\n\n-- \nJane Doe\nold text\n'],
    ['German', 'New answer.\n\nAm Mo., 3. Juni 2024 um 10:20 Uhr schrieb Shop <support@shop.test>:\n> old text\n'],
    ['Spanish', 'New answer.\n\nEl lun, 3 jun 2024 a las 10:20, Shop (<support@shop.test>) escribió:\n> old text\n'],
    ['Italian', 'New answer.\n\nIl giorno lun 3 giu 2024 alle ore 10:20 Shop <support@shop.test> ha scritto:\n> old text\n'],
    ['Dutch', 'New answer.\n\nOp ma 3 jun. 2024 om 10:20 schreef Shop <support@shop.test>:\n> old text\n'],
    ['Polish', 'New answer.\n\nW dniu 3.06.2024 o 10:20, Shop <support@shop.test> napisał(a):\n> old text\n'],
    ['Danish', 'New answer.\n\nDen 3. jun. 2024 kl. 10.20 skrev Shop <support@shop.test>:\n> old text\n'],
    ['Original Message rule, Danish', 'New answer.\n\n-----Oprindelig besked-----\nFra: Shop\nold text\n'],
    ['iPhone footer', 'New answer.\n\nSent from my iPhone\n'],
    ['German iPhone footer', 'New answer.\n\nVon meinem iPhone gesendet\n'],
    ['Outlook mobile footer', 'New answer.\n\nGet Outlook for Android\n'],
    ['closing', 'New answer.\n\nBest regards,\nJane Doe\nShop Customer\n'],
    ['French closing', 'New answer.\n\nBien cordialement,\nJeanne\n'],
    ['quoted lines below the answer, no attribution (email-reply-parser)', 'New answer.\n\n> old text\n> more old text\n'],
  ])('%s', (_name, text) => {
    expect(stripReply(text)).toBe('New answer.');
  });

  it('keeps what it cannot tell from content: indentation, a signature-only text, words like "regards" inside a sentence', () => {
    expect(stripReply('Items:\n  - shoes\n  - socks')).toBe('Items:\n  - shoes\n  - socks');
    expect(stripReply('Kind regards,\nJane')).toBe('Kind regards,\nJane');
    expect(stripReply('With regards to my order, it has not arrived.\nThanks')).toBe('With regards to my order, it has not arrived.\nThanks');
  });

  it('keeps a forwarded message whole', () => {
    const text = 'See below.\n\n---------- Forwarded message ---------\nFrom: A <a@b.example>\nDate: x\nSubject: y\n\nforwarded body';
    expect(stripReply(text)).toBe(text);
  });

  it('keeps the words of a bottom-posted reply', () => {
    expect(stripReply('On Mon, Jun 3, 2024 at 10:20 AM Shop <s@shop.test> wrote:\n> question?\n\nMy answer.')).toBe('My answer.');
  });

  it('does not take a sentence that ends in a colon for an attribution', () => {
    expect(stripReply('Thank you!\nOn Monday I will be at home, my address:\nMain Street 1')).toContain('Main Street 1');
  });

  describe('paragraphs sent as one long line', () => {
    const paragraph = (word: string) => `${word} `.repeat(400).trim(); // 2 000+ characters, one line

    it('keeps them whole while the reply parser still hides quoted lines around them', () => {
      const own = paragraph('Xin chào, đơn hàng của tôi chưa tới.');
      expect(stripReply(`${own}\n\n> ${paragraph('old')}\n> short quoted line\n`)).toBe(own);
      expect(stripReply(`Short first line.\n${own}   \n\n>> ${paragraph('older')}\n\nSent from my iPhone\n`)).toBe(`Short first line.\n${own}`);
    });

    it('loses nothing when the reply parser joins a long line to a quote header it finds wrapped around it', () => {
      // email-reply-parser joins the lines of a quote header it finds spread over several
      // ("Op … schreef …:", "W dniu … pisze:"), long ones included: the result is its own.
      const own = paragraph('Tôi muốn đổi sang cỡ lớn hơn.');
      for (const text of [`Op maandag 3 juni\n${own}\nschreef de klant iets:\nNog een regel.`, `W dniu 3 czerwca\n  ${own}\npisze:\nDalej.`]) {
        const stripped = stripReply(text);
        expect(stripped).toBe(new EmailReplyParser().read(text).getVisibleText().trim());
        expect(stripped).toContain(own);
      }
    });

    it('works on a text that already holds the stand-in characters', () => {
      const own = `\uE000 ${paragraph('tere')} \uE0011\uE001`;
      expect(stripReply(`${own}\n\n> quoted\n`)).toBe(own);
    });
  });

  it('is quick on a long hostile text', () => {
    const started = performance.now();
    stripReply('abc. x\n'.repeat(20_000) + 'On ' + 'x '.repeat(5000) + 'wrote:\n');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
