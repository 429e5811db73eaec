/**
 * The cause-hint table (lib/model/hints.ts): each row recognizes its English and Chinese texts, no
 * row's pattern matches another row's texts, unknown texts get no hint, and only failure-like
 * events get one.
 */
import { describe, expect, it } from 'vitest';
import { eventHint, HINTS, hintFor } from '../../../lib/model/hints.ts';

/** Texts per row: English and Chinese, as DLI (or its gateway) words them. */
const SAMPLES: Record<string, { en: string[]; zh: string[] }> = {
  'subnet-not-found': {
    en: ['The subnet could not be found.', 'DLI.0001: subnet 4c1f… not found'],
    zh: ['子网找不到', '找不到子网信息:子网不存在'],
  },
  'cidr-overlap': {
    en: [
      'The CIDR block of the queue overlaps with the CIDR of the subnet',
      'network segment conflicts with 192.168.0.0/16',
    ],
    zh: ['队列网段与子网网段冲突', '网段重叠,请修改队列网段'],
  },
  'vpc-permission': {
    en: [
      'The agency dli_admin_agency does not exist',
      'no permission to operate vpc',
      'Please grant VPC Administrator to DLI',
    ],
    zh: ['委托不存在', '权限不足,无法创建对等连接'],
  },
  quota: {
    en: ['The quota of VPC peering connections is exceeded', 'insufficient quota for routes'],
    zh: ['对等连接配额不足', '超过配额限制'],
  },
  'network-rules': {
    en: ['security group does not allow the traffic', 'blocked by network ACL', 'route table conflict'],
    zh: ['安全组规则未放通', '路由冲突'],
  },
  'link-failure': {
    en: ['Communications link failure'],
    zh: ['通信链路故障'],
  },
  credentials: {
    en: [
      'APIG.0301: Incorrect IAM authentication information: verify aksk signature fail',
      'DLI.0013: user authentication error',
    ],
    zh: ['认证信息错误', '签名校验失败'],
  },
  throttled: {
    en: ['APIG.0308: The request is throttled', 'HTTP 429 Too Many Requests'],
    zh: ['请求过于频繁,请稍后再试'],
  },
};

const rowOf = (id: string) => HINTS.find((r) => r.id === id);

describe('hint table', () => {
  it('has samples for exactly its rows', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(HINTS.map((r) => r.id).sort());
  });

  for (const [id, { en, zh }] of Object.entries(SAMPLES)) {
    it(`${id}: recognizes its English and Chinese texts`, () => {
      const row = rowOf(id);
      for (const text of [...en, ...zh])
        expect(hintFor(text), text).toEqual({ cause: row?.cause, action: row?.action, link: row?.link });
    });
  }

  it("no row's pattern matches another row's texts (patterns are specific)", () => {
    for (const row of HINTS)
      for (const [id, { en, zh }] of Object.entries(SAMPLES)) {
        if (id === row.id) continue;
        for (const text of [...en, ...zh])
          for (const p of row.patterns) expect(p.test(text), `${row.id} ${p} vs "${text}"`).toBe(false);
      }
  });

  it('unknown or empty texts get no hint, never a guess', () => {
    for (const text of [
      null,
      undefined,
      '',
      'emulator failure',
      'DLI.0999: server-side error',
      'the peering is being created',
      'Internal error, please contact support',
      '系统内部错误',
      'route',
      'subnet',
      'quota',
    ])
      expect(hintFor(text), String(text)).toBeNull();
  });

  it('every link is a DLI page on support.huaweicloud.com', () => {
    for (const row of HINTS)
      expect(row.link).toMatch(
        /^https:\/\/support\.huaweicloud\.com\/intl\/en-us\/(dli_faq|api-dli)\/dli_0[23]_\d{4}\.html$/,
      );
  });

  it('a huge error text is cheap: only its beginning is read', () => {
    const t0 = performance.now();
    expect(hintFor(`${'x'.repeat(1_000_000)} security group`)).toBeNull();
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('events: failed, stuck and stale get hints; recoveries and deletions never', () => {
    const error = 'the subnet could not be found';
    for (const type of ['PEERING_FAILED', 'PEERING_STUCK', 'TARGET_STALE'])
      expect(eventHint({ type, error })).not.toBeNull();
    for (const type of ['PEERING_RECOVERED', 'CONNECTION_DELETED', 'DELETIONS_HELD', 'TARGET_RECOVERED'])
      expect(eventHint({ type, error })).toBeNull();
  });
});
