/**
 * Escaping and truncation of user-controlled text (connection and queue names, DLI error messages)
 * for each platform's markup. Pure. Two promises hold for every function here:
 * - data cannot add markup: no link (`://` is broken, so nothing auto-links), no formatting, no tag;
 * - data cannot mention anyone: @all/@channel/@here/@everyone/<!channel>/<users/all>/<at …> are
 *   broken with a zero-width space, on top of the platform's own escaping, because some platforms
 *   parse mentions outside their markdown.
 */

const ZWSP = '\u200B';
export const ELLIPSIS = '…';

/**
 * Control characters (except newline and tab) break layouts and some receivers; bidirectional
 * overrides can make a name read as something else. Lone surrogates are made well-formed so the
 * JSON body is valid UTF-8.
 */
export function clean(s: string): string {
  return (
    s
      .toWellFormed()
      .replace(/\r\n?/g, '\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g, '')
  );
}

/** For titles and fields: one line, whitespace runs collapsed. */
export const oneLine = (s: string): string => clean(s).replace(/\s+/g, ' ').trim();

/** Breaks mass mentions whatever the markup: `@all`, `@channel`, `@here`, `@everyone`, `@所有人`. */
export const neutralizeMentions = (s: string): string =>
  s.replace(/@(?=all|channel|here|everyone|所有人)/gi, `@${ZWSP}`);

/** Breaks `<` so no tag-shaped mention (`<!channel>`, `<at id=all>`, `<@user>`, `<users/all>`) can form. */
const breakTags = (s: string): string => s.replace(/</g, `<${ZWSP}`);

/**
 * Breaks `scheme://` so no platform auto-links a URL in the data (Slack's fallback text and
 * notifications, Discord embeds, Teams, Feishu, DingTalk and WeCom all link bare URLs).
 */
export const breakLinks = (s: string): string => s.replace(/:\/\//g, `:${ZWSP}//`);

const base = (s: string): string => breakLinks(neutralizeMentions(clean(s)));

/** Look-alikes for formatting characters, where a platform has no escape. */
const LOOKALIKE: Record<string, string> = { '*': '∗', _: 'ˍ', '~': '∼', '`': 'ˋ' };
const lookalikes = (s: string): string => s.replace(/[*_~`]/g, (c) => LOOKALIKE[c] ?? c);

// --- Slack (mrkdwn) ------------------------------------------------------------------------------

/** Slack's own control characters, `&`, `<`, `>`, as entities: no `<url|label>`, no `<!here>`. */
const slackEntities = (s: string): string =>
  base(s).replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));

/**
 * Slack mrkdwn outside code spans. Slack has no backslash escape, so `*_~` and backticks become
 * look-alikes: a name cannot turn the message bold, italic, struck or into code. Blocks also carry
 * `verbatim: true` (channels/slack.ts) so Slack links no bare URL or channel name itself.
 */
export const slackText = (s: string): string => lookalikes(slackEntities(s));

/**
 * Values inside code spans, where *_~ are inert and shown exactly; a backtick in the data would end
 * the span, so it becomes a look-alike (U+02CB).
 */
export const slackCode = (s: string): string => slackEntities(s).replace(/`/g, 'ˋ');

/** Slack plain_text objects are not parsed for markup or mentions; cleaned all the same. */
export const slackPlain = (s: string): string => breakTags(base(s));

// --- CommonMark-like markdown (Discord, DingTalk, WeCom) -----------------------------------------

/** Backslash-escapes the punctuation that starts emphasis, code, links, headings, quotes, tables. */
const escapeMd = (s: string): string => s.replace(/[\\`*_~[\]()#|>]/g, '\\$&');

/** Escapes list and heading markers at line starts that escapeMd leaves alone (`-`, `+`, `1.`). */
const escapeLineStarts = (s: string): string =>
  s.replace(/^(\s*)([-+]|\d+\.)(?=\s|$)/gm, (_m, sp: string, mk: string) => `${sp}\\${mk}`);

/**
 * Discord, DingTalk and WeCom markdown: CommonMark punctuation backslash-escaped (Discord documents
 * backslash escapes), and `<` broken rather than escaped, because DingTalk and WeCom parse their own
 * tags (`<font>`, `<@userid>`) outside markdown and Discord its `<@id>`, `<#id>`, `<t:…>`.
 */
export const markdown = (s: string): string => escapeLineStarts(escapeMd(breakTags(base(s))));

// --- Literal text elements (Teams TextRun, Feishu plain_text) ------------------------------------

/**
 * For elements the platform shows literally (no markdown): only cleaning, mention breaking, and the
 * Adaptive Card `{{DATE(…)}}`/`{{TIME(…)}}` functions, which are expanded even in plain text runs.
 */
export const literal = (s: string): string => breakTags(base(s)).replace(/\{\{/g, `{${ZWSP}{`);

// --- Google Chat card text (HTML subset) ---------------------------------------------------------

export const htmlText = (s: string): string =>
  base(s).replace(
    /[&<>"']/g,
    (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' } as const)[c as '&']};`,
  );

/**
 * Google Chat text messages have no escape at all: the notification preview gets the value with
 * markup characters replaced by look-alikes (the card beside it shows the exact text).
 */
export const chatPreview = (s: string): string =>
  breakLinks(neutralizeMentions(oneLine(s))).replace(
    /[<>*_~`]/g,
    (c) => ({ '<': '‹', '>': '›', '*': '∗', _: '＿', '~': '∼', '`': 'ˋ' })[c] ?? c,
  );

// --- Links ---------------------------------------------------------------------------------------

/** A URL safe inside `<url|label>` and `[label](url)`: characters that would end the link are encoded. */
export const safeUrl = (url: string): string =>
  url.replace(
    /[\s()<>|"'`[\]\\^{}]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );

/** Our own link (the console URL) inside Slack's `<url|label>`: encoded, `&` as Slack's entity. */
export const slackUrl = (url: string): string => safeUrl(clean(url)).replace(/&/g, '&amp;');

// --- Truncation ----------------------------------------------------------------------------------

export const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The first `n` UTF-16 units of `s`, one fewer if that would split a surrogate pair. */
function cut(s: string, n: number): string {
  if (n >= s.length) return s;
  const code = s.charCodeAt(n - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

/**
 * The escaped form of `raw`, cut with an ellipsis so that `measure` of the result is at most `max`.
 * Cutting happens on the raw text, before escaping, so an escape sequence is never split. Escaping
 * never shortens text, so at most `max` raw units can fit, and a 1 MB input costs a few escapes of
 * at most `max` units (binary search), not a pass over the megabyte.
 */
export function clip(
  raw: string,
  esc: (s: string) => string,
  max: number,
  measure: (s: string) => number = (s) => s.length,
): string {
  if (max <= 0) return '';
  const head = cut(raw, max + 1);
  const whole = esc(head);
  if (head.length === raw.length && measure(whole) <= max) return whole;
  let lo = 0;
  let hi = Math.min(head.length, max);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(esc(cut(raw, mid)) + ELLIPSIS) <= max) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 && measure(ELLIPSIS) > max ? '' : esc(cut(raw, lo)) + ELLIPSIS;
}

/**
 * Digest lines: each escaped and clipped to `lineMax`, as many as fit in `budget` (separators
 * counted), and how many were left out.
 */
export function takeLines(
  lines: readonly string[],
  esc: (s: string) => string,
  lineMax: number,
  budget: number,
  measure: (s: string) => number = (s) => s.length,
): { shown: string[]; more: number } {
  const shown: string[] = [];
  let used = 0;
  for (const line of lines) {
    const text = clip(line, esc, lineMax, measure);
    const cost = measure(text) + 4;
    if (used + cost > budget) break;
    shown.push(text);
    used += cost;
  }
  return { shown, more: lines.length - shown.length };
}

/** Plain truncation (no escaping), for text a platform shows as is. */
export const truncate = (s: string, max: number): string => clip(s, (x) => x, max);

/**
 * Builds a payload with a budget for its long, variable part (the DLI error, digest lines) and
 * halves the budget until the payload's measured size fits the platform's limit.
 */
export function fitPayload<T>(
  build: (budget: number) => T,
  size: (payload: T) => number,
  limit: number,
  budget: number,
): T {
  let b = budget;
  let payload = build(b);
  while (size(payload) > limit && b > 0) {
    b = b > 32 ? Math.floor(b / 2) : 0;
    payload = build(b);
  }
  return payload;
}

export const jsonBytes = (value: unknown): number => utf8Length(JSON.stringify(value));
