import { DomainRejection, sourceOf, type Decider } from '@verity/core';
import type { ProductReference } from '../catalog';
import {
  authorityRulesOf,
  judgeChange,
  openConflictOf,
  provenanceOf,
  sourceConflict,
  type OpenConflict,
  type Provenance,
} from '../sources/governance';
import type {
  CommitReservationData,
  ExpireReservationsData,
  InventoryCommand,
  ReleaseReservationData,
  ResolveConflictData,
  SetSafetyBufferData,
  TransferStockData,
} from './commands';
import type {
  ConflictDetected,
  ConflictResolved,
  InventoryEvent,
  ReservationCommitted,
  ReservationExpired,
  ReservationReleased,
  SafetyBufferSet,
  StockAdjusted,
  StockReceived,
  StockReserved,
  StockTransferred,
} from './events';

/** An open reservation: units set aside at its location until released, committed or expired. */
export interface Reservation {
  quantity: number;
  /** ISO 8601 UTC. */
  expiresAt: string;
}

/**
 * One location of the SKU. `buffer`, `reservations` and `counted` are optional because
 * snapshots written before them exist; read them through `locationOf`.
 */
export interface LocationState {
  onHand: number;
  buffer?: number;
  /** Open reservations at this location, by reservationId. */
  reservations?: Record<string, Reservation>;
  /** Source of the last absolute count applied here (AdjustStock); null until one with a source is. */
  counted?: Provenance | null;
}

export type ClosedStatus = 'released' | 'committed' | 'expired';

/** Stock of one SKU across its locations: the aggregate behind stream `<tenant>/<sku>`. */
export interface StockState {
  sku: string | null;
  locations: Record<string, LocationState>;
  /**
   * The most recently closed reservations, oldest first, at most CLOSED_KEPT: their ids cannot
   * be reused or closed twice. Bounded so a busy SKU's snapshot does not grow with every order.
   */
  recentlyClosed?: ClosedReservation[];
  /** Closed reservations as snapshots before `recentlyClosed` kept them; read, never grown. */
  closedReservations?: Record<string, ClosedStatus>;
  /** Open source conflicts of on-hand counts, by id. */
  conflicts?: Record<string, OpenConflict>;
}

export interface ClosedReservation {
  reservationId: string;
  status: ClosedStatus;
}

/** How many closed reservation ids a SKU remembers; an id closed longer ago than that may be used again. */
export const CLOSED_KEPT = 1000;

const initialState = (): StockState => ({ sku: null, locations: {}, recentlyClosed: [], conflicts: {} });

const closedStatusOf = (state: StockState, reservationId: string): ClosedStatus | undefined =>
  state.recentlyClosed?.find((c) => c.reservationId === reservationId)?.status ??
  state.closedReservations?.[reservationId];

const locationOf = (state: StockState, location: string): Required<LocationState> => {
  const current = state.locations[location];
  return {
    onHand: current?.onHand ?? 0,
    buffer: current?.buffer ?? 0,
    reservations: current?.reservations ?? {},
    counted: current?.counted ?? null,
  };
};

const reservedAt = (location: Required<LocationState>): number =>
  Object.values(location.reservations).reduce((sum, r) => sum + r.quantity, 0);

/** Available to promise at a location: onHand − reserved − buffer, never negative. */
export function availableToPromise(state: StockState, location: string): number {
  const at = locationOf(state, location);
  return Math.max(0, at.onHand - reservedAt(at) - at.buffer);
}

function findReservation(
  state: StockState,
  reservationId: string,
): { location: string; reservation: Reservation } | undefined {
  for (const [location, at] of Object.entries(state.locations)) {
    const reservation = at.reservations?.[reservationId];
    if (reservation) return { location, reservation };
  }
  return undefined;
}

function assertStream(state: StockState, sku: string): void {
  if (state.sku !== null && state.sku !== sku)
    throw new DomainRejection('wrong_stream', `stream holds SKU ${state.sku}, not ${sku}`);
}

function assertQuantity(quantity: number): void {
  if (!Number.isInteger(quantity) || quantity <= 0) {
    throw new DomainRejection('invalid_quantity', `quantity must be a positive integer, got ${quantity}`, { quantity });
  }
}

/** A count that may be zero (an absolute on-hand count, a buffer); `code` names the rule broken. */
function assertCount(code: string, field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0)
    throw new DomainRejection(code, `${field} must be an integer of zero or more, got ${value}`, { [field]: value });
}

function assertAvailable(state: StockState, location: string, quantity: number): void {
  const available = availableToPromise(state, location);
  if (quantity > available) {
    throw new DomainRejection(
      'insufficient_stock',
      `${quantity} requested at ${location}, ${available} available to promise`,
      { available },
    );
  }
}

/**
 * New stock is not received or reserved for a product the catalog discontinued. A SKU the
 * catalog does not know is stocked all the same: stock may arrive before its product does.
 */
function assertStockable(command: InventoryCommand, sku: string): void {
  const product = command.references?.product as ProductReference | null | undefined;
  if (product?.status === 'discontinued')
    throw new DomainRejection(
      'product_discontinued',
      `product ${sku} is discontinued: no new stock receipts or reservations`,
      { sku },
    );
}

function receiveStock(
  command: Extract<InventoryCommand, { type: 'ReceiveStock' }>,
  state: StockState,
): StockReceived[] {
  const { data } = command;
  assertQuantity(data.quantity);
  assertStream(state, data.sku);
  assertStockable(command, data.sku);
  return [{ type: 'StockReceived', data: { sku: data.sku, location: data.location, quantity: data.quantity } }];
}

function reserveStock(
  command: Extract<InventoryCommand, { type: 'ReserveStock' }>,
  state: StockState,
): StockReserved[] {
  const { data } = command;
  const { now } = command.metadata;
  assertQuantity(data.quantity);
  assertStream(state, data.sku);
  assertStockable(command, data.sku);
  const expiresAt = new Date(data.expiresAt);
  if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now.getTime()) {
    throw new DomainRejection(
      'invalid_expiry',
      `expiresAt ${data.expiresAt} must be after the command's time ${now.toISOString()}`,
      {
        expiresAt: data.expiresAt,
        now: now.toISOString(),
      },
    );
  }
  if (findReservation(state, data.reservationId) || closedStatusOf(state, data.reservationId)) {
    throw new DomainRejection('reservation_exists', `reservation ${data.reservationId} already exists`, {
      reservationId: data.reservationId,
    });
  }
  assertAvailable(state, data.location, data.quantity);
  return [
    {
      type: 'StockReserved',
      data: {
        sku: data.sku,
        location: data.location,
        reservationId: data.reservationId,
        quantity: data.quantity,
        expiresAt: expiresAt.toISOString(),
      },
    },
  ];
}

function openReservation(
  state: StockState,
  sku: string,
  reservationId: string,
): { location: string; reservation: Reservation } {
  assertStream(state, sku);
  const found = findReservation(state, reservationId);
  if (!found) {
    const closed = closedStatusOf(state, reservationId);
    throw new DomainRejection(
      'unknown_reservation',
      closed ? `reservation ${reservationId} is already ${closed}` : `no reservation ${reservationId}`,
      {
        reservationId,
        ...(closed ? { reservationStatus: closed } : {}),
      },
    );
  }
  return found;
}

function releaseReservation(data: ReleaseReservationData, state: StockState): ReservationReleased[] {
  const { location, reservation } = openReservation(state, data.sku, data.reservationId);
  return [
    {
      type: 'ReservationReleased',
      data: { sku: data.sku, reservationId: data.reservationId, location, quantity: reservation.quantity },
    },
  ];
}

function commitReservation(data: CommitReservationData, state: StockState): ReservationCommitted[] {
  const { location, reservation } = openReservation(state, data.sku, data.reservationId);
  return [
    {
      type: 'ReservationCommitted',
      data: { sku: data.sku, reservationId: data.reservationId, location, quantity: reservation.quantity },
    },
  ];
}

function adjusted(
  sku: string,
  location: string,
  at: Required<LocationState>,
  onHand: number,
  source: Provenance,
): StockAdjusted {
  const reserved = reservedAt(at);
  if (onHand < reserved) {
    throw new DomainRejection(
      'below_reserved',
      `on hand ${onHand} at ${location} would be below the ${reserved} reserved there`,
      { reserved },
    );
  }
  return { type: 'StockAdjusted', data: { sku, location, previousOnHand: at.onHand, onHand, ...source } };
}

/**
 * An absolute count is a claim about the on-hand quantity (`inventory.onHand`): one from a
 * source the tenant's rules do not name as owner, or older than the location's last applied
 * count, becomes a `ConflictDetected`. An unchanged count emits nothing: source systems report
 * their counts again and again.
 */
function adjustStock(
  command: Extract<InventoryCommand, { type: 'AdjustStock' }>,
  state: StockState,
): (StockAdjusted | ConflictDetected)[] {
  const { data } = command;
  assertCount('invalid_quantity', 'onHand', data.onHand);
  assertStream(state, data.sku);
  const at = locationOf(state, data.location);
  if (state.sku !== null && data.onHand === at.onHand) return [];
  const source = sourceOf(command);
  const judgement = judgeChange('inventory.onHand', source, at.counted ?? undefined, authorityRulesOf(command));
  if (judgement) {
    const conflict = sourceConflict({
      command,
      field: 'inventory.onHand',
      sku: data.sku,
      location: data.location,
      current: at.onHand,
      applied: at.counted ?? undefined,
      incoming: data.onHand,
      judgement,
    });
    return [{ type: 'ConflictDetected', data: conflict }];
  }
  return [adjusted(data.sku, data.location, at, data.onHand, provenanceOf(source))];
}

/** `incoming` sets the refused count, with its own source and time, unless on hand already is that. */
function resolveConflict(data: ResolveConflictData, state: StockState): (ConflictResolved | StockAdjusted)[] {
  assertStream(state, data.sku);
  const open = state.conflicts?.[data.conflictId];
  if (!open || open.location === null)
    throw new DomainRejection('conflict_not_found', `no open conflict ${data.conflictId} on SKU ${data.sku}`, {
      conflictId: data.conflictId,
    });
  const resolved: ConflictResolved = {
    type: 'ConflictResolved',
    data: {
      conflictId: data.conflictId,
      sku: data.sku,
      location: open.location,
      field: open.field,
      accepted: data.accept,
    },
  };
  const at = locationOf(state, open.location);
  const onHand = JSON.parse(open.incomingValue) as number;
  if (data.accept === 'current' || onHand === at.onHand) return [resolved];
  return [
    resolved,
    adjusted(data.sku, open.location, at, onHand, {
      sourceSystem: open.incomingSourceSystem,
      sourceTimestamp: open.incomingSourceTimestamp,
    }),
  ];
}

function transferStock(data: TransferStockData, state: StockState): StockTransferred[] {
  assertQuantity(data.quantity);
  assertStream(state, data.sku);
  if (data.from === data.to)
    throw new DomainRejection('same_location', `cannot transfer from ${data.from} to itself`, { location: data.from });
  assertAvailable(state, data.from, data.quantity);
  return [{ type: 'StockTransferred', data: { sku: data.sku, from: data.from, to: data.to, quantity: data.quantity } }];
}

function setSafetyBuffer(data: SetSafetyBufferData, state: StockState): SafetyBufferSet[] {
  assertCount('invalid_buffer', 'buffer', data.buffer);
  assertStream(state, data.sku);
  const previousBuffer = locationOf(state, data.location).buffer;
  return [
    { type: 'SafetyBufferSet', data: { sku: data.sku, location: data.location, previousBuffer, buffer: data.buffer } },
  ];
}

/** Every open reservation with expiresAt <= now, oldest first (ties by id): nothing when none is due. */
function expireReservations(data: ExpireReservationsData, state: StockState, now: Date): ReservationExpired[] {
  assertStream(state, data.sku);
  const due: ReservationExpired[] = [];
  for (const [location, at] of Object.entries(state.locations)) {
    for (const [reservationId, reservation] of Object.entries(at.reservations ?? {})) {
      if (new Date(reservation.expiresAt).getTime() <= now.getTime()) {
        due.push({
          type: 'ReservationExpired',
          data: {
            sku: data.sku,
            reservationId,
            location,
            quantity: reservation.quantity,
            expiresAt: reservation.expiresAt,
          },
        });
      }
    }
  }
  return due.sort(
    (a, b) =>
      a.data.expiresAt.localeCompare(b.data.expiresAt) || a.data.reservationId.localeCompare(b.data.reservationId),
  );
}

function decide(command: InventoryCommand, state: StockState): InventoryEvent[] {
  switch (command.type) {
    case 'ReceiveStock':
      return receiveStock(command, state);
    case 'ReserveStock':
      return reserveStock(command, state);
    case 'ReleaseReservation':
      return releaseReservation(command.data, state);
    case 'CommitReservation':
      return commitReservation(command.data, state);
    case 'AdjustStock':
      return adjustStock(command, state);
    case 'ResolveConflict':
      return resolveConflict(command.data, state);
    case 'TransferStock':
      return transferStock(command.data, state);
    case 'SetSafetyBuffer':
      return setSafetyBuffer(command.data, state);
    case 'ExpireReservations':
      return expireReservations(command.data, state, command.metadata.now);
    default: {
      const unknownCommand: never = command;
      throw new DomainRejection(
        'unknown_command_type',
        `unknown inventory command ${String((unknownCommand as { type: unknown }).type)}`,
      );
    }
  }
}

const withLocation = (
  state: StockState,
  sku: string,
  location: string,
  change: (at: Required<LocationState>) => Required<LocationState>,
): StockState => ({
  ...state,
  sku,
  locations: { ...state.locations, [location]: change(locationOf(state, location)) },
});

function closeReservation(
  state: StockState,
  sku: string,
  location: string,
  reservationId: string,
  status: ClosedStatus,
  shipped: number,
): StockState {
  const next = withLocation(state, sku, location, (at) => {
    const { [reservationId]: _closed, ...open } = at.reservations;
    return { ...at, onHand: at.onHand - shipped, reservations: open };
  });
  return { ...next, recentlyClosed: [...(state.recentlyClosed ?? []), { reservationId, status }].slice(-CLOSED_KEPT) };
}

function evolve(state: StockState, event: InventoryEvent): StockState {
  switch (event.type) {
    case 'StockReceived': {
      const { sku, location, quantity } = event.data;
      return withLocation(state, sku, location, (at) => ({ ...at, onHand: at.onHand + quantity }));
    }
    case 'StockReserved': {
      const { sku, location, reservationId, quantity, expiresAt } = event.data;
      return withLocation(state, sku, location, (at) => ({
        ...at,
        reservations: { ...at.reservations, [reservationId]: { quantity, expiresAt } },
      }));
    }
    case 'ReservationReleased':
      return closeReservation(state, event.data.sku, event.data.location, event.data.reservationId, 'released', 0);
    case 'ReservationExpired':
      return closeReservation(state, event.data.sku, event.data.location, event.data.reservationId, 'expired', 0);
    case 'ReservationCommitted':
      return closeReservation(
        state,
        event.data.sku,
        event.data.location,
        event.data.reservationId,
        'committed',
        event.data.quantity,
      );
    case 'StockAdjusted': {
      const { sku, location, onHand, sourceSystem, sourceTimestamp } = event.data;
      const counted = sourceSystem !== null && sourceTimestamp !== null ? { sourceSystem, sourceTimestamp } : null;
      return withLocation(state, sku, location, (at) => ({ ...at, onHand, counted }));
    }
    case 'ConflictDetected':
      return { ...state, conflicts: { ...state.conflicts, [event.data.conflictId]: openConflictOf(event.data) } };
    case 'ConflictResolved': {
      const { [event.data.conflictId]: _resolved, ...conflicts } = state.conflicts ?? {};
      return { ...state, conflicts };
    }
    case 'StockTransferred': {
      const { sku, from, to, quantity } = event.data;
      const left = withLocation(state, sku, from, (at) => ({ ...at, onHand: at.onHand - quantity }));
      return withLocation(left, sku, to, (at) => ({ ...at, onHand: at.onHand + quantity }));
    }
    case 'SafetyBufferSet': {
      const { sku, location, buffer } = event.data;
      return withLocation(state, sku, location, (at) => ({ ...at, buffer }));
    }
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown inventory event ${String((unknownEvent as { type: unknown }).type)}`);
    }
  }
}

export const inventoryDecider: Decider<StockState, InventoryCommand, InventoryEvent> = { decide, evolve, initialState };
