/** The platform drivers by channel type. */
import type { ChannelType } from '../config.ts';
import { dingtalk } from './dingtalk.ts';
import { discord } from './discord.ts';
import { feishu } from './feishu.ts';
import { googlechat } from './googlechat.ts';
import { jsm } from './jsm.ts';
import { pagerduty } from './pagerduty.ts';
import { slack } from './slack.ts';
import { teams } from './teams.ts';
import type { ChannelDriver } from './types.ts';
import { webhook } from './webhook.ts';
import { wecom } from './wecom.ts';

export const DRIVERS: Readonly<Record<ChannelType, ChannelDriver>> = {
  slack,
  teams,
  feishu,
  dingtalk,
  wecom,
  discord,
  googlechat,
  webhook,
  pagerduty,
  jsm,
};
