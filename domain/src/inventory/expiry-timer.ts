import type { TimerDefinition } from '@verity/core';
import type { StockState } from './decider';

/** The earliest expiresAt among the SKU's open reservations: from then on ExpireReservations has one to expire. Null when none is open. */
export function nextExpiry(state: StockState): Date | null {
  let earliest: number | null = null;
  for (const at of Object.values(state.locations)) {
    for (const { expiresAt } of Object.values(at.reservations ?? {})) {
      const time = Date.parse(expiresAt);
      if (earliest === null || time < earliest) earliest = time;
    }
  }
  return earliest === null ? null : new Date(earliest);
}

/** Reservations expire on their own: once one is due, the processor sends the SKU's stream ExpireReservations. */
export const expiryTimer: TimerDefinition<StockState, 'ExpireReservations'> = {
  command: 'ExpireReservations',
  dueAt: nextExpiry,
  payload: (sku) => ({ sku }),
};
