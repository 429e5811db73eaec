import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chatPreview,
  clean,
  clip,
  ELLIPSIS,
  fitPayload,
  htmlText,
  literal,
  markdown,
  neutralizeMentions,
  oneLine,
  safeUrl,
  slackCode,
  slackPlain,
  slackText,
  truncate,
  utf8Length,
} from '../../../lib/notify/escape.ts';
import { HOSTILE } from './fixtures.ts';

const MASS_MENTION = /@(all|channel|here|everyone|所有人)/i;
const ESCAPERS = { slackText, slackCode, slackPlain, markdown, literal, htmlText, chatPreview };

describe('clean and oneLine', () => {
  it('drops control characters and bidi overrides, keeps newlines and tabs', () => {
    expect(clean('a\u0000b\u0007c\u202Ed\u2066e\tf\r\ng\rh')).toBe('abcde\tf\ng\nh');
  });
  it('makes lone surrogates well-formed', () => {
    expect(clean('x\uD800y')).toBe('x\uFFFDy');
  });
  it('collapses whitespace to one line', () => {
    expect(oneLine('  a\n\n b\t c  ')).toBe('a b c');
  });
});

describe('mass mentions', () => {
  it('breaks every mass-mention keyword, any case', () => {
    expect(neutralizeMentions('@ALL @Channel @here @everyone @所有人')).not.toMatch(MASS_MENTION);
    expect(neutralizeMentions('mail me at a@b.example')).toBe('mail me at a@b.example');
  });
  for (const [name, esc] of Object.entries(ESCAPERS)) {
    it(`${name} never lets a mention or tag through`, () => {
      for (const s of HOSTILE) {
        const out = esc(s);
        expect(out).not.toMatch(MASS_MENTION);
        expect(out).not.toMatch(/<!(channel|here|everyone)/);
        expect(out).not.toMatch(/<users\/all>/);
        expect(out).not.toMatch(/<at[\s>]/);
        expect(out).not.toMatch(/<@/);
      }
    });
  }
  it('holds for arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('@all', '@here', '<!channel>', '<users/all>', '<at id=all>', '@everyone'),
        fc.string(),
        (a, m, b) => {
          for (const esc of Object.values(ESCAPERS)) {
            const out = esc(a + m + b);
            expect(out).not.toMatch(MASS_MENTION);
            expect(out).not.toMatch(/<!channel>|<users\/all>|<at /);
          }
        },
      ),
    );
  });
});

describe('platform escaping', () => {
  it('slack: &, <, > become entities, so no <url|label> link or <!here> forms', () => {
    expect(slackText('a & b <c> d')).toBe('a &amp; b &lt;c&gt; d');
    expect(slackText('<https://evil.example|click>')).toBe('&lt;https:\u200B//evil.example|click&gt;');
  });
  it('slack: *_~ and backticks become look-alikes outside code spans (mrkdwn has no escape)', () => {
    expect(slackText('*b* _i_ ~s~ `c` ```block```')).toBe('∗b∗ ˍiˍ ∼s∼ ˋcˋ ˋˋˋblockˋˋˋ');
  });
  it('every escaper breaks bare URLs so no platform auto-links them', () => {
    for (const esc of Object.values(ESCAPERS)) {
      const out = esc('see https://evil.example/x and ftp://evil.example');
      expect(out).not.toMatch(/:\/\//);
      expect(out).toContain('evil.example');
    }
  });
  it('discord: formatting, masked links, auto-links and @everyone are all inert', () => {
    const out = markdown(
      '**b** __u__ ~~s~~ ||spoiler|| `c` [x](https://evil.example) https://evil.example @everyone <t:0>',
    );
    expect(out).toBe(
      '\\*\\*b\\*\\* \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\| \\`c\\` \\[x\\]\\(https:\u200B//evil.example\\) https:\u200B//evil.example @\u200Beveryone <\u200Bt:0\\>',
    );
  });
  it('slack code spans cannot be closed by data, and show *_~ exactly', () => {
    expect(slackCode('a`b```c')).toBe('aˋbˋˋˋc');
    expect(slackCode('etl_queue *x* ~y~')).toBe('etl_queue *x* ~y~');
  });
  it('markdown: every markdown character is backslash-escaped, tags are broken', () => {
    const out = markdown('*b* _i_ ~s~ `c` [l](u) # h > q | t <@1>');
    expect(out).toBe('\\*b\\* \\_i\\_ \\~s\\~ \\`c\\` \\[l\\]\\(u\\) \\# h \\> q \\| t <\u200B@1\\>');
  });
  it('markdown: list markers at line starts are escaped', () => {
    expect(markdown('- a\n+ b\n12. c\nx - y')).toBe('\\- a\n\\+ b\n\\12. c\nx - y');
  });
  it('markdown: DingTalk/WeCom tags are broken', () => {
    expect(markdown('<font color="warning">x</font>')).toBe('<\u200Bfont color="warning"\\>x<\u200B/font\\>');
  });
  it('literal: Adaptive Card template functions and tags are broken', () => {
    expect(literal('{{DATE(2017-02-14T06:08:39Z, SHORT)}}')).toBe(
      '{\u200B{DATE(2017-02-14T06:08:39Z, SHORT)}}',
    );
    expect(literal('*stays*')).toBe('*stays*');
  });
  it('html: entities for all five characters', () => {
    expect(htmlText(`<b>"x" & 'y'</b>`)).toBe('&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;');
  });
  it('chat preview: markup characters become look-alikes', () => {
    expect(chatPreview('<users/all> *x* _y_ `z`')).toBe('‹users/all› ∗x∗ ＿y＿ ˋzˋ');
  });
  it('safeUrl encodes characters that would end a markdown or mrkdwn link', () => {
    expect(safeUrl('https://x.example/a b?q=(1)|<2>')).toBe('https://x.example/a%20b?q=%281%29%7C%3C2%3E');
  });
});

describe('clip', () => {
  it('returns the escaped text when it fits', () => {
    expect(clip('a&b', slackText, 7)).toBe('a&amp;b');
  });
  it('cuts before escaping, so an entity is never split, and ends with an ellipsis', () => {
    expect(clip('a&b&c', slackText, 7)).toBe(`a&amp;${ELLIPSIS}`);
  });
  it('never splits a surrogate pair', () => {
    const out = truncate('ab😀cd', 4);
    expect(out).toBe(`ab${ELLIPSIS}`);
  });
  it('measures bytes when asked', () => {
    const out = clip('日本語テキスト', (s) => s, 10, utf8Length);
    expect(utf8Length(out)).toBeLessThanOrEqual(10);
    expect(out).toBe(`日本${ELLIPSIS}`);
  });
  it('handles a 1 MB error quickly', () => {
    const huge = '<&>@all '.repeat(131_072);
    const started = performance.now();
    for (const esc of Object.values(ESCAPERS)) expect(clip(huge, esc, 3000).length).toBeLessThanOrEqual(3000);
    expect(performance.now() - started).toBeLessThan(1000);
  });
  it('is within the limit and a prefix of the escaped text, for any input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom(...Object.values(ESCAPERS)),
        (s, max, esc) => {
          const out = clip(s, esc, max);
          expect(out.length).toBeLessThanOrEqual(max);
          if (esc(s).length <= max) expect(out).toBe(esc(s));
          else if (out.length > 0) {
            expect(out.endsWith(ELLIPSIS)).toBe(true);
            expect(out.isWellFormed()).toBe(true);
          }
        },
      ),
    );
  });
});

describe('fitPayload', () => {
  it('halves the budget until the payload fits', () => {
    const budgets: number[] = [];
    const out = fitPayload(
      (b) => {
        budgets.push(b);
        return 'x'.repeat(b + 10);
      },
      (s) => s.length,
      300,
      1000,
    );
    expect(out.length).toBeLessThanOrEqual(300);
    expect(budgets).toEqual([1000, 500, 250]);
  });
});
