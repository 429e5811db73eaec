/** The report's recipe, shared by the CLI and the HTTP API: read (load.ts), then render (html.ts). */
import type { Store } from '../store/client.ts';
import type { PeeringResult, Window } from './availability.ts';
import { renderReport } from './html.ts';
import { type Selection, selectionAvailability, selectionEvents, selectionInventory } from './load.ts';

export async function buildReport(
  store: Store,
  sel: Selection,
  w: Window,
  now: Date,
): Promise<{ html: string; results: PeeringResult[] }> {
  const [results, events, inventory] = await Promise.all([
    selectionAvailability(store, sel, w),
    selectionEvents(store, sel, w),
    selectionInventory(store, sel, w),
  ]);
  return {
    html: renderReport({ window: w, generatedAt: now.toISOString(), results, events, inventory }),
    results,
  };
}
