/**
 * Messages of target-level state events: TARGET_DENIED (DLI answered 401/403 or "not enabled" for a
 * whole project) and TARGET_RECOVERED (such a target is swept again). Pure. For paging tools the
 * denial triggers and the recovery resolves the same alert (lib/model/alert-key.ts).
 */
import { alertKey } from '../model/alert-key.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { targetLabel } from '../model/target.ts';
import type { Message } from './message.ts';

type Common = Omit<Message, 'tone' | 'title' | 'summary' | 'error' | 'note'>;

const WHY: Record<string, string> = {
  DENIED: 'DLI refused our credentials for this project (HTTP 401/403)',
  NOT_ENABLED: 'DLI is not enabled in this project',
};

export function targetStateMessage(e: ChangeEvent, common: Common): Message {
  const target = targetLabel(e);
  if (e.type === 'TARGET_RECOVERED') {
    return {
      ...common,
      tone: 'recovery',
      title: `Target reachable again: ${target}`,
      summary: `${target} was swept completely again (it was ${e.previousStatus ?? 'unreachable'}).`,
      error: null,
      note: null,
      action: 'resolve',
      alertKey: alertKey(e),
    };
  }
  return {
    ...common,
    tone: 'failure',
    title: `Target ${e.status === 'NOT_ENABLED' ? 'not enabled' : 'denied'}: ${target}`,
    summary: `${WHY[e.status] ?? e.status}; its connections are kept as they were and it is retried every run.`,
    error: e.error,
    note: 'Reported once when the state begins; "dli-sync targets" shows every target\'s state.',
    action: 'trigger',
    alertKey: alertKey(e),
  };
}
