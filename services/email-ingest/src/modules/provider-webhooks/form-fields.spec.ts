import { describe, expect, it } from 'vitest';
import { MalformedFormError, parseFormFields } from './form-fields.js';

/** The bytes and Content-Type a real client (undici) sends for a FormData. */
async function encode(form: FormData): Promise<{ contentType: string; body: Buffer }> {
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { contentType: req.headers.get('content-type')!, body: Buffer.from(await req.arrayBuffer()) };
}

const EIGHT_BIT = Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xe9, 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0xff, 0xfe, 0x80]), Buffer.from('\r\n--not-the-boundary\r\n')]);

describe('parseFormFields', () => {
  it('gives multipart fields and files back byte for byte', async () => {
    const form = new FormData();
    form.append('timestamp', '1764950400');
    form.append('body-mime', new Blob([EIGHT_BIT]), 'message.mime');
    form.append('token', 'tök"en');
    form.append('timestamp', 'ignored: the first wins');
    const { contentType, body } = await encode(form);
    const fields = parseFormFields(contentType, body);
    expect(fields.get('timestamp')?.toString()).toBe('1764950400');
    expect(fields.get('body-mime')?.equals(EIGHT_BIT)).toBe(true);
    expect(fields.get('token')?.toString('utf8')).toBe('tök"en');
  });

  it('reads a hand-written multipart body with a preamble and a quoted boundary', () => {
    const body = Buffer.from(
      'preamble\r\n--b1\r\nContent-Disposition: form-data; name="a"\r\n\r\none\r\n--b1\r\nContent-Disposition: form-data; name=b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n--b1--\r\nepilogue',
    );
    const fields = parseFormFields('multipart/form-data; boundary="b1"', body);
    expect(fields.get('a')?.toString()).toBe('one');
    expect(fields.get('b')?.length).toBe(0);
  });

  it('percent-decodes url-encoded fields to bytes', () => {
    const fields = parseFormFields('application/x-www-form-urlencoded', Buffer.from('body-mime=caf%E9+au+lait%0D%0A&token=t&token=u'));
    expect(fields.get('body-mime')?.equals(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x61, 0x75, 0x20, 0x6c, 0x61, 0x69, 0x74, 0x0d, 0x0a]))).toBe(true);
    expect(fields.get('token')?.toString()).toBe('t');
  });

  it.each([
    ['multipart/form-data', 'no boundary'],
    ['multipart/form-data; boundary=zz', '--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end'],
    ['multipart/form-data; boundary=zz', 'nothing like a boundary'],
    ['multipart/form-data; boundary=zz', '--zz\r\nno header end\r\n--zz--'],
  ])('refuses a malformed body (%s)', (contentType, body) => {
    expect(() => parseFormFields(contentType, Buffer.from(body))).toThrow(MalformedFormError);
  });
});
