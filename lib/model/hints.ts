/**
 * Cause hints: what a DLI error text most likely means, what to do next, and the DLI FAQ page that
 * explains it. Pure; computed when an event is shown or sent, never stored, so improving this table
 * improves old events too.
 *
 * Patterns must be specific: a text that matches no row gets no hint (null) rather than a wrong one.
 * Each row matches the English and the Chinese wording of the console and the API (a project in a
 * Chinese region gets Chinese texts). Sources: the DLI FAQ pages linked from each row, and the "Notes
 * and Constraints" of "Creating an Enhanced Datasource Connection" (usermanual-dli dli_01_0006); the
 * table and its sources are in docs/notifications.md ("Cause hints").
 */

export interface Hint {
  cause: string;
  action: string;
  link: string;
}

interface Row extends Hint {
  id: string;
  patterns: readonly RegExp[];
}

const FAQ = 'https://support.huaweicloud.com/intl/en-us/dli_faq';
const API = 'https://support.huaweicloud.com/intl/en-us/api-dli';

/** First match wins: rows go from the most specific wording to the broadest. */
export const HINTS: readonly Row[] = [
  {
    id: 'subnet-not-found',
    patterns: [
      /\bsubnet\b.{0,60}\b(could not be found|cannot be found|can ?not be found|not found|does not exist)/i,
      /子网.{0,20}(找不到|未找到|不存在|无法找到)/,
    ],
    cause:
      'DLI could not see the data source subnet: it lacks the VPC permission or agency it needs in this project (or the subnet was deleted).',
    action:
      'Grant DLI its VPC permissions (Global Configuration > Service Authorization: VPC Administrator, or the DLI agency), check the subnet still exists, then rebind the queue.',
    link: `${FAQ}/dli_03_0237.html`,
  },
  {
    id: 'cidr-overlap',
    patterns: [
      /\b(cidr|network segment|ip range|address range)s?\b.{0,60}\b(overlap|overlaps|overlapping|conflict|conflicts|conflicting)\b/i,
      /\b(overlap|overlaps|overlapping|conflict|conflicts|conflicting)\b.{0,60}\b(cidr|network segment)s?\b/i,
      /网段.{0,20}(冲突|重叠|重合)|(冲突|重叠|重合).{0,20}网段/,
    ],
    cause: "The queue's (or elastic resource pool's) CIDR block overlaps the data source's subnet.",
    action:
      "Give the queue or pool a CIDR block that does not overlap the data source's VPC subnet (or use another subnet), then rebind.",
    link: `${FAQ}/dli_03_0179.html`,
  },
  {
    id: 'vpc-permission',
    patterns: [
      /\bagency\b.{0,60}\b(not exist|not found|missing|invalid|insufficient|not authorized|no permission)/i,
      /\b(no permission|not authorized|insufficient permission|permission denied)\b.{0,60}\b(vpc|subnet|peering)\b/i,
      /\bVPC Administrator\b/,
      /委托.{0,20}(不存在|缺失|无效|权限不足|未授权)|(权限不足|无权限|没有权限|未授权).{0,20}(VPC|vpc|虚拟私有云|子网|对等连接)/,
    ],
    cause: 'DLI lacks the permission or agency to manage the VPC, subnet or peering of this connection.',
    action:
      'Update DLI\'s agency permissions (Global Configuration > Service Authorization, "VPC Administrator") and retry the binding.',
    link: `${FAQ}/dli_03_0237.html`,
  },
  {
    id: 'quota',
    patterns: [
      /\bquota\b.{0,60}\b(exceed|exceeded|exceeds|insufficient|reached|limit|used up|not enough)/i,
      /\b(exceed|exceeded|exceeds|insufficient|reached|not enough)\b.{0,60}\bquota\b/i,
      /配额.{0,20}(不足|超过|超出|已满|用完|上限)|(超过|超出|达到).{0,20}配额/,
    ],
    cause:
      'A quota of the project is used up (VPC peering connections or routes, as the binding creates both).',
    action: 'Free or raise the VPC peering / route quota of the project (My Quotas), then rebind the queue.',
    link: `${FAQ}/dli_03_0179.html`,
  },
  {
    id: 'network-rules',
    patterns: [
      /\bsecurity group\b/i,
      /\bnetwork ACL\b/i,
      /\broute\b.{0,40}\b(conflict|conflicts|exists|already exist|failed|unreachable)\b/i,
      /安全组|网络ACL|路由.{0,20}(冲突|已存在|失败|不可达)/,
    ],
    cause:
      "A security group, route or network ACL rule blocks traffic between the queue's CIDR and the data source.",
    action:
      "Allow the queue's CIDR block in the data source's security group and network ACL (inbound) and check the route table of the subnet, then test the address from the connection.",
    link: `${FAQ}/dli_03_0179.html`,
  },
  {
    id: 'link-failure',
    patterns: [/\bcommunications? link failure\b/i, /通信链路(故障|失败)/],
    cause:
      'The connection is up but the data source does not answer on its port: usually a security group or the port itself.',
    action:
      "Open the data source's port to the queue's CIDR block and test it with the connection's connectivity check.",
    link: `${FAQ}/dli_03_0047.html`,
  },
  {
    id: 'credentials',
    patterns: [
      /\bAPIGW?\.0301\b|\bverify aksk signature fail\b|\bDLI\.001[34]\b/i,
      /\bIncorrect IAM authentication information\b/i,
      /认证信息错误|签名校验失败|AK\/SK.{0,20}(错误|无效)/,
    ],
    cause:
      "The DLI API refused dli-sync's credentials (wrong or expired AK/SK or token, or a clock far off).",
    action:
      'Check HUAWEICLOUD_SDK_AK/SK (or the token or IAM user) and the host clock; the key needs DLI read permission in this project.',
    link: `${API}/dli_02_0056.html`,
  },
  {
    id: 'throttled',
    patterns: [/\bAPIGW?\.0308\b|\btoo many requests\b|\brequest throttled\b/i, /请求过于频繁|流控/],
    cause: "The API gateway throttled dli-sync's requests.",
    action:
      'Lower DLI_PAGE_CONCURRENCY or DLI_TARGET_CONCURRENCY (or sync less often); other tools using the same key share the limit.',
    link: `${API}/dli_02_0056.html`,
  },
];

/** Event types whose error text may name a cause: failed and stuck peerings, stale targets. */
const HINTED: ReadonlySet<string> = new Set(['PEERING_FAILED', 'PEERING_STUCK', 'TARGET_STALE']);

/** An event's hint: only for the types above, from its error text. */
export const eventHint = (e: { type: string; error: string | null }): Hint | null =>
  HINTED.has(e.type) ? hintFor(e.error) : null;

/** The hint for an error text; null for no text, or one no row recognizes. */
export function hintFor(error: string | null | undefined): Hint | null {
  if (!error) return null;
  // Long texts: the cause is stated early; a bounded prefix keeps a 1 MB err_msg cheap.
  const text = error.slice(0, 4096);
  const row = HINTS.find((r) => r.patterns.some((p) => p.test(text)));
  return row ? { cause: row.cause, action: row.action, link: row.link } : null;
}
