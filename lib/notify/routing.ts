/** Which channels hear about which events. Pure. */

import { globToRegExp } from '../model/glob.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { parseTargetSpec } from '../model/target.ts';
import type { ChannelConfig } from './config.ts';

/** `targets` entries are `region:projectId` globs; a lone `*` is every target. */
export function matchesTarget(globs: readonly string[], region: string, projectId: string): boolean {
  return globs.some((g) => {
    if (g === '*') return true;
    const spec = parseTargetSpec(g);
    return (
      spec !== null && globToRegExp(spec.region).test(region) && globToRegExp(spec.projectId).test(projectId)
    );
  });
}

export function routes(channel: ChannelConfig, e: ChangeEvent): boolean {
  if ((e.type === 'PEERING_RECOVERED' || e.type === 'TARGET_RECOVERED') && !channel.recovered) return false;
  if (e.reminder !== undefined && channel.reminders === false) return false;
  if (channel.events && !channel.events.includes(e.type)) return false;
  if (channel.targets && !matchesTarget(channel.targets, e.region, e.projectId)) return false;
  return true;
}
