import type { Knex } from 'knex';
import { isUndefinedTable } from '@verity/events';

export const DELIVERIES_TABLE = 'webhook_deliveries';
export const SUBSCRIPTION_HEALTH_TABLE = 'webhook_subscription_health';
export const LANE_LEASES_TABLE = 'webhook_lane_leases';

interface Migration {
  name: string;
  up(db: Knex, schema: string): Promise<void>;
  down(db: Knex, schema: string): Promise<void>;
}

/** In order; a published migration is never edited, a change is a new one. */
const migrations: Migration[] = [
  {
    name: '001_webhook_outbox',
    async up(db, schema) {
      await db.schema.withSchema(schema).createTable(DELIVERIES_TABLE, (t) => {
        t.bigIncrements('delivery_id').primary().comment('the outbox order: within a stream, the order of its events');
        t.text('subscription_id').notNullable();
        t.text('tenant').notNullable();
        t.text('stream_id').notNullable();
        t.text('event_id').notNullable().comment('ce_id: the webhook-id a receiver deduplicates on');
        t.text('event_type').notNullable();
        t.text('body').notNullable().comment('the CloudEvent JSON, byte for byte what is signed and sent');
        t.text('status').notNullable().defaultTo('pending').comment('pending, delivered, dead (given up)');
        t.integer('attempts').notNullable().defaultTo(0);
        t.integer('last_status').comment('HTTP status of the last attempt; null when there was no answer');
        t.text('last_error');
        t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
        t.timestamp('last_attempt_at', { useTz: true });
        t.timestamp('delivered_at', { useTz: true });
        t.timestamp('given_up_at', { useTz: true });
        t.bigInteger('redelivery_of').comment('the delivery this one sends again, by request');
        t.index(['subscription_id', 'delivery_id'], 'webhook_deliveries_subscription');
      });
      // The workers' query: the pending head of each (subscription, stream) lane.
      await db.raw(
        `CREATE INDEX webhook_deliveries_pending ON ??.?? (subscription_id, stream_id, delivery_id) WHERE status = 'pending'`,
        [schema, DELIVERIES_TABLE],
      );
      await db.schema.withSchema(schema).createTable(SUBSCRIPTION_HEALTH_TABLE, (t) => {
        t.text('subscription_id').primary();
        t.integer('consecutive_failures').notNullable().defaultTo(0);
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      });
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable(SUBSCRIPTION_HEALTH_TABLE);
      await db.schema.withSchema(schema).dropTable(DELIVERIES_TABLE);
    },
  },
  {
    name: '002_settled_index',
    async up(db, schema) {
      // Pruning's query: the settled deliveries (delivered or given up), oldest first.
      await db.raw(`CREATE INDEX webhook_deliveries_settled ON ??.?? (created_at) WHERE status <> 'pending'`, [
        schema,
        DELIVERIES_TABLE,
      ]);
    },
    async down(db, schema) {
      await db.raw('DROP INDEX ??.webhook_deliveries_settled', [schema]);
    },
  },
  {
    name: '003_lane_leases',
    async up(db, schema) {
      // One row per lane being sent: the dispatcher instance that owns it, until when. A lane
      // without a live row is free; a row past its expiry is taken over by whoever claims next.
      await db.schema.withSchema(schema).createTable(LANE_LEASES_TABLE, (t) => {
        t.text('subscription_id').notNullable();
        t.text('stream_id').notNullable();
        t.text('owner').notNullable().comment('the worker instance sending the lane');
        t.timestamp('expires_at', { useTz: true }).notNullable();
        t.primary(['subscription_id', 'stream_id']);
      });
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable(LANE_LEASES_TABLE);
    },
  },
];

export function outboxMigrations(schema: string): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (db: Knex) => m.up(db, schema), down: (db: Knex) => m.down(db, schema) }),
  };
}

/** What the consumer writes for one event and one subscription it matches. */
export interface NewDelivery {
  subscriptionId: string;
  tenant: string;
  streamId: string;
  eventId: string;
  eventType: string;
  body: string;
}

const row = (d: NewDelivery) => ({
  subscription_id: d.subscriptionId,
  tenant: d.tenant,
  stream_id: d.streamId,
  event_id: d.eventId,
  event_type: d.eventType,
  body: d.body,
});

/** Queues deliveries, in the caller's transaction (the consumer's, with its checkpoint). */
export async function enqueueDeliveries(db: Knex | Knex.Transaction, schema: string, deliveries: NewDelivery[]) {
  if (deliveries.length > 0) await db.withSchema(schema).table(DELIVERIES_TABLE).insert(deliveries.map(row));
}

/** One queued delivery a worker sends. */
export interface QueuedDelivery {
  deliveryId: string;
  subscriptionId: string;
  streamId: string;
  eventId: string;
  body: string;
  attempts: number;
}

/** A lane: one subscription's deliveries of one stream, sent in order by one worker at a time. */
export interface Lane {
  subscriptionId: string;
  streamId: string;
}

/**
 * Claims lanes for `owner`: of the `lanes` oldest lanes whose head is due, for the
 * `subscriptions` given (the enabled ones), none of those in `busy` and none under a live lease,
 * a lease of `leaseMs` each. A lane whose head waits for its retry is not claimed: that keeps
 * stream order. The lease is taken by an upsert that only overwrites an expired row, so two
 * workers claiming at once get each lane at most once, and a crashed worker's lanes are free
 * once its leases expire. Heads are found on the pending index alone.
 */
export async function claimLanes(
  db: Knex,
  schema: string,
  options: { owner: string; leaseMs: number; subscriptions: readonly string[]; busy: readonly string[]; lanes: number },
): Promise<Lane[]> {
  if (options.subscriptions.length === 0 || options.lanes <= 0) return [];
  const { rows } = await db.raw<{ rows: { subscription_id: string; stream_id: string }[] }>(
    `WITH heads AS (
       SELECT DISTINCT ON (subscription_id, stream_id) subscription_id, stream_id, delivery_id, next_attempt_at
       FROM ??.?? WHERE status = 'pending' AND subscription_id = ANY(?)
       ORDER BY subscription_id, stream_id, delivery_id
     ), chosen AS (
       SELECT h.subscription_id, h.stream_id FROM heads h
       WHERE h.next_attempt_at <= now() AND NOT (h.subscription_id || ' ' || h.stream_id = ANY(?))
         AND NOT EXISTS (SELECT 1 FROM ??.?? l WHERE l.subscription_id = h.subscription_id
                         AND l.stream_id = h.stream_id AND l.expires_at > clock_timestamp())
       ORDER BY h.delivery_id LIMIT ?
     )
     INSERT INTO ??.?? AS l (subscription_id, stream_id, owner, expires_at)
     SELECT subscription_id, stream_id, ?, clock_timestamp() + ? * interval '1 millisecond' FROM chosen
     ON CONFLICT (subscription_id, stream_id) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
       WHERE l.expires_at <= clock_timestamp()
     RETURNING l.subscription_id, l.stream_id`,
    [
      schema,
      DELIVERIES_TABLE,
      [...options.subscriptions],
      [...options.busy],
      schema,
      LANE_LEASES_TABLE,
      options.lanes,
      schema,
      LANE_LEASES_TABLE,
      options.owner,
      options.leaseMs,
    ],
  );
  return rows.map((r) => ({ subscriptionId: r.subscription_id, streamId: r.stream_id }));
}

/**
 * The first `perLane` pending deliveries of a lane, oldest first. Read in a statement of its own
 * after the claim: a claim that waited for the previous owner's record must see what it
 * recorded, which the claim's own snapshot would not.
 */
export async function pendingOf(db: Knex, schema: string, lane: Lane, perLane: number): Promise<QueuedDelivery[]> {
  const rows = await db
    .withSchema(schema)
    .table(DELIVERIES_TABLE)
    .where({ subscription_id: lane.subscriptionId, stream_id: lane.streamId, status: 'pending' })
    .orderBy('delivery_id')
    .limit(perLane)
    .select<
      {
        delivery_id: string;
        subscription_id: string;
        stream_id: string;
        event_id: string;
        body: string;
        attempts: number;
      }[]
    >('delivery_id', 'subscription_id', 'stream_id', 'event_id', 'body', 'attempts');
  return rows.map((r) => ({
    deliveryId: String(r.delivery_id),
    subscriptionId: r.subscription_id,
    streamId: r.stream_id,
    eventId: r.event_id,
    body: r.body,
    attempts: r.attempts,
  }));
}

/**
 * Extends `owner`'s live lease of a lane by `leaseMs` from now; false when it has expired or is
 * another's (taken over): the lane must then send nothing more.
 */
export async function renewLease(
  db: Knex,
  schema: string,
  owner: string,
  lane: Lane,
  leaseMs: number,
): Promise<boolean> {
  const { rowCount } = await db.raw<{ rowCount: number }>(
    `UPDATE ??.?? SET expires_at = clock_timestamp() + ? * interval '1 millisecond'
     WHERE subscription_id = ? AND stream_id = ? AND owner = ? AND expires_at > clock_timestamp()`,
    [schema, LANE_LEASES_TABLE, leaseMs, lane.subscriptionId, lane.streamId, owner],
  );
  return rowCount === 1;
}

/** How an attempt ended, as the worker records it. */
export type AttemptOutcome =
  | { deliveryId: string; outcome: 'delivered'; status: number }
  | { deliveryId: string; outcome: 'retry'; status: number | null; error: string; retryAt: Date }
  | { deliveryId: string; outcome: 'dead'; status: number | null; error: string };

/**
 * Records a lane's attempts (each one's status, error and, for a retry, when the lane may try
 * again) and ends `owner`'s lease of it, in one transaction, only while that lease is live: a
 * worker whose lease ran out records nothing, as the lane's new owner sends those deliveries
 * again (at least once) and its record must not be overwritten. Returns whether it recorded.
 */
export async function recordAttempts(
  db: Knex,
  schema: string,
  owner: string,
  lane: Lane,
  outcomes: readonly AttemptOutcome[],
): Promise<boolean> {
  const delivered = outcomes.filter((o) => o.outcome === 'delivered');
  const table = () => db.withSchema(schema).table(DELIVERIES_TABLE);
  return db.transaction(async (trx) => {
    // Deleting the live lease row locks it: a claim waiting on it sees the lane free only after this commits.
    const { rowCount } = await trx.raw<{ rowCount: number }>(
      `DELETE FROM ??.?? WHERE subscription_id = ? AND stream_id = ? AND owner = ? AND expires_at > clock_timestamp()`,
      [schema, LANE_LEASES_TABLE, lane.subscriptionId, lane.streamId, owner],
    );
    if (rowCount !== 1) return false;
    if (delivered.length > 0)
      await trx.raw(
        `UPDATE ??.?? d SET status = 'delivered', attempts = d.attempts + 1, last_status = v.status,
           last_error = NULL, last_attempt_at = now(), delivered_at = now()
         FROM unnest(?::bigint[], ?::int[]) AS v(id, status) WHERE d.delivery_id = v.id`,
        [schema, DELIVERIES_TABLE, delivered.map((o) => o.deliveryId), delivered.map((o) => o.status)],
      );
    for (const o of outcomes) {
      if (o.outcome === 'delivered') continue;
      await table()
        .transacting(trx)
        .where('delivery_id', o.deliveryId)
        .update({
          attempts: db.raw('attempts + 1'),
          last_status: o.status,
          last_error: o.error.slice(0, 500),
          last_attempt_at: db.fn.now(),
          ...(o.outcome === 'retry' ? { next_attempt_at: o.retryAt } : { status: 'dead', given_up_at: db.fn.now() }),
        });
    }
    return true;
  });
}

/** Adds `delta` failures in a row to a subscription (0 resets): the run it has now. */
export async function countFailures(db: Knex, schema: string, subscriptionId: string, failed: number): Promise<number> {
  const { rows } = await db.raw<{ rows: { consecutive_failures: number }[] }>(
    `INSERT INTO ??.?? AS h (subscription_id, consecutive_failures) VALUES (?, ?)
     ON CONFLICT (subscription_id) DO UPDATE SET
       consecutive_failures = CASE WHEN ? = 0 THEN 0 ELSE h.consecutive_failures + EXCLUDED.consecutive_failures END,
       updated_at = now()
     RETURNING consecutive_failures`,
    [schema, SUBSCRIPTION_HEALTH_TABLE, subscriptionId, failed, failed],
  );
  return rows[0]!.consecutive_failures;
}

/** Every subscription's run of failures, as stored: what a worker starts from. */
export async function failureRuns(db: Knex, schema: string): Promise<Map<string, number>> {
  const rows = await db
    .withSchema(schema)
    .table(SUBSCRIPTION_HEALTH_TABLE)
    .select<{ subscription_id: string; consecutive_failures: number }[]>('subscription_id', 'consecutive_failures');
  return new Map(rows.map((r) => [r.subscription_id, r.consecutive_failures]));
}

/** A re-enabled subscription starts afresh: its run of failures forgotten, its waiting lanes due now. */
export async function resumeSubscription(db: Knex, schema: string, subscriptionId: string): Promise<void> {
  await db.transaction(async (trx) => {
    await countFailures(trx, schema, subscriptionId, 0);
    await trx
      .withSchema(schema)
      .table(DELIVERIES_TABLE)
      .where({ subscription_id: subscriptionId, status: 'pending' })
      // Only heads waiting for a retry wait on the clock; the rest are due already.
      .where('next_attempt_at', '>', trx.fn.now())
      .update({ next_attempt_at: trx.fn.now() });
  });
}

/** A delivery as `GET /v1/webhook-subscriptions/<id>/deliveries` shows it. */
export interface DeliveryView {
  deliveryId: string;
  eventId: string;
  eventType: string;
  streamId: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  givenUpAt: string | null;
  redeliveryOf: string | null;
}

interface DeliveryRow {
  delivery_id: string;
  event_id: string;
  event_type: string;
  stream_id: string;
  status: DeliveryView['status'];
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: Date;
  created_at: Date;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
  given_up_at: Date | null;
  redelivery_of: string | null;
}

const iso = (at: Date | null): string | null => (at === null ? null : at.toISOString());

const viewOf = (r: DeliveryRow): DeliveryView => ({
  deliveryId: String(r.delivery_id),
  eventId: r.event_id,
  eventType: r.event_type,
  streamId: r.stream_id,
  status: r.status,
  attempts: r.attempts,
  lastStatus: r.last_status,
  lastError: r.last_error,
  nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
  createdAt: r.created_at.toISOString(),
  lastAttemptAt: iso(r.last_attempt_at),
  deliveredAt: iso(r.delivered_at),
  givenUpAt: iso(r.given_up_at),
  redeliveryOf: r.redelivery_of === null ? null : String(r.redelivery_of),
});

/**
 * A subscription's deliveries, newest first, `limit` of them before `before` (a delivery id, for
 * the next page), of one status when asked (`dead`: the dead letters).
 */
export async function listDeliveries(
  db: Knex,
  schema: string,
  subscriptionId: string,
  options: { limit: number; before?: string; status?: DeliveryView['status'] },
): Promise<DeliveryView[]> {
  const query = db
    .withSchema(schema)
    .table(DELIVERIES_TABLE)
    .where('subscription_id', subscriptionId)
    .orderBy('delivery_id', 'desc')
    .limit(options.limit);
  if (options.before !== undefined) void query.where('delivery_id', '<', options.before);
  if (options.status !== undefined) void query.where('status', options.status);
  try {
    return (await query.select<DeliveryRow[]>('*')).map(viewOf);
  } catch (error) {
    // No outbox table: the dispatcher has not created it yet, so nothing was queued.
    if (isUndefinedTable(error)) return [];
    throw error;
  }
}

/**
 * Queues one delivery of a subscription again, behind what its stream has pending, with the same
 * webhook-id (a receiver that has it already can tell). Undefined when the subscription has no
 * delivery of that id.
 */
export async function redeliver(
  db: Knex,
  schema: string,
  subscriptionId: string,
  deliveryId: string,
): Promise<DeliveryView | undefined> {
  try {
    const { rows } = await db.raw<{ rows: DeliveryRow[] }>(
      `INSERT INTO ??.?? (subscription_id, tenant, stream_id, event_id, event_type, body, redelivery_of)
       SELECT subscription_id, tenant, stream_id, event_id, event_type, body, delivery_id FROM ??.??
       WHERE subscription_id = ? AND delivery_id = ?
       RETURNING *`,
      [schema, DELIVERIES_TABLE, schema, DELIVERIES_TABLE, subscriptionId, deliveryId],
    );
    return rows[0] ? viewOf(rows[0]) : undefined;
  } catch (error) {
    if (isUndefinedTable(error)) return undefined;
    throw error;
  }
}

/** Settled deliveries removed per statement: a prune holds no lock for long. */
const PRUNE_BATCH = 5_000;

/**
 * Removes the deliveries settled (delivered or given up) that were queued before `before`, in
 * batches; pending ones stay whatever their age, as they still carry a lane's order. Without it
 * the outbox grows with every event ever delivered. Returns how many were removed.
 */
export async function pruneDeliveries(db: Knex, schema: string, before: Date): Promise<number> {
  let removed = 0;
  for (;;) {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      `DELETE FROM ??.?? WHERE delivery_id IN (
         SELECT delivery_id FROM ??.?? WHERE status <> 'pending' AND created_at < ? ORDER BY created_at LIMIT ?)`,
      [schema, DELIVERIES_TABLE, schema, DELIVERIES_TABLE, before, PRUNE_BATCH],
    );
    removed += rowCount;
    if (rowCount < PRUNE_BATCH) return removed;
  }
}
