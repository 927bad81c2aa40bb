import { describe, expect, it } from 'vitest';
import { htmlToText } from './html-to-text.js';
import { sanitizeMailHtml } from './sanitize-mail-html.js';

describe('sanitizeMailHtml', () => {
  it.each([
    ['<script>alert(1)</script><p>ok</p>', '<p>ok</p>'],
    ['<style>p{}</style><p style="color:red" class="x">ok</p>', '<p>ok</p>'],
    ['<img src="x" onerror="alert(1)">', '<img src="x" />'],
    ['<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow" target="_blank">x</a>'],
    ['<a href="jav&#x09;ascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow" target="_blank">x</a>'],
    ['<a href="https://shop.test/a" target="_self" rel="opener">x</a>', '<a href="https://shop.test/a" target="_blank" rel="noopener noreferrer nofollow">x</a>'],
    ['<iframe src="https://e.example"></iframe><object data="x"></object><embed src="x"><form><input></form>', ''],
    ['<img src="cid:logo@x">', '<img src="cid:logo@x" />'],
    ['<img src="data:image/png;base64,iVBORw0KGgo=">', '<img src="data:image/png;base64,iVBORw0KGgo=" />'],
    ['<img src="data:image/svg+xml;base64,PHN2Zz4=">', '<img />'],
    ['<a href="data:text/html,<script>alert(1)</script>">x</a>', '<a rel="noopener noreferrer nofollow" target="_blank">x</a>'],
    ['<img src="//tracker.example/p.gif">', '<img />'],
  ])('%s', (dirty, clean) => {
    expect(sanitizeMailHtml(dirty)).toBe(clean);
  });
});

describe('htmlToText', () => {
  it('breaks lines at blocks and decodes entities', () => {
    expect(htmlToText('<div>Hello &amp; welcome</div><p>a&lt;b&gt;c &quot;q&quot;<br>next</p><ul><li>one</li><li>two</li></ul><table><tr><td>x</td><td>y</td></tr></table><script>no()</script>')).toBe(
      'Hello & welcome\n\na<b>c "q"\nnext\n\n- one\n\n- two\n\nx y',
    );
  });
});
