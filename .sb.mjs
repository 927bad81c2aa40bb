import { stripReply } from '/work/wt/services/email-ingest/dist/src/modules/parsing/strip-reply.js';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const ERP = require('email-reply-parser');
const FILLER = 'Xin chào, tôi đặt hàng tuần trước và trang theo dõi không thay đổi từ thứ Hai. Tere, tellisin eelmisel nädalal ja jälgimisleht pole esmaspäevast muutunud. ' + 'Hello, I ordered last week and the tracking page has not moved since Monday. ';
const text = FILLER.repeat(Math.ceil(3600 / FILLER.length)).slice(0, 3600);
const wrapped = text.match(/.{1,76}(\s|$)/g).join('\n');
const N = 2000;
for (const [label, fn] of [
  ['stripReply one line', () => stripReply(text)],
  ['stripReply wrapped', () => stripReply(wrapped)],
]) {
  for (let i = 0; i < 300; i++) fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn();
  console.log(label, (Number(process.hrtime.bigint() - t) / 1e3 / N).toFixed(1), 'µs');
}
