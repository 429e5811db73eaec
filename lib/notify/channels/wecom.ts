/**
 * WeCom (企业微信) group robot: markdown, content at most 4,096 bytes of UTF-8. No signing (the
 * `key` in the URL is the secret). Success is JSON `errcode === 0`. 20 messages/min per robot.
 */
import { clip, fitPayload, utf8Length } from '../escape.ts';
import { markdownText } from './dingtalk.ts';
import { type ChannelDriver, JSON_HEADERS, judgeCode } from './types.ts';

export const WECOM_CONTENT_MAX = 4096;

const COLOR = {
  failure: 'warning',
  recovery: 'info',
  deletion: 'warning',
  flapping: 'warning',
  digest: 'comment',
} as const;

export const wecom: ChannelDriver = {
  type: 'wecom',
  pace: { perMinute: 18, burst: 2 },
  render(m, channel) {
    const shaped = fitPayload(
      (b) => markdownText(m, b, { heading: (t) => `### <font color="${COLOR[m.tone]}">${t}</font>` }),
      utf8Length,
      WECOM_CONTENT_MAX,
      2000,
    );
    // Last resort for absurdly long names (facts are capped, not budgeted): a hard cut by bytes.
    const content = clip(shaped, (s) => s, WECOM_CONTENT_MAX, utf8Length);
    return {
      url: channel.url,
      headers: { ...JSON_HEADERS },
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content } }),
    };
  },
  judge(reply, now) {
    // -1: system busy; 45009: frequency limit. Others (93000 bad key, 40058 content too long) are final.
    return judgeCode(reply, now, { field: 'errcode', message: 'errmsg', transient: [-1, 45009] });
  },
};
