import { randomUUID } from 'node:crypto';
import { createLogger } from '@verity/events';
import { Pool } from 'pg';
import { migratePoller } from './migrations';
import { PollScheduler } from './scheduler';
import { PollerStore, type StoredSource } from './store';

const settings = (url: string) => ({ url, intervalMs: 1_800_000, pageSize: 100, kinds: ['inventory' as const] });

/**
 * A configuration set between the tick's listing of the sources and the claim of a poll: its own
 * reset of the run comes before the claim, so the poll must be of the new configuration, or the
 * source waits a whole interval with the old one (seen as a flaky poller e2e under load).
 */
describe('the poll scheduler', () => {
  const schema = `p_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const db = new Pool({
    connectionString: process.env.VERITY_DATABASE_URL ?? 'postgres://verity:verity@127.0.0.1:5442/verity',
    max: 4,
  });
  const store = new PollerStore(db, schema);

  beforeAll(async () => {
    await db.query(`CREATE SCHEMA "${schema}"`);
    await migratePoller(db, schema);
  });
  afterAll(async () => {
    await db.query(`DROP SCHEMA "${schema}" CASCADE`);
    await db.end();
  });

  it('polls the configuration as it is after the claim, not as the tick listed it', async () => {
    await store.saveSource('acme', 'netsuite', settings('http://127.0.0.1:1/old'), null, new Date());
    let changed = false;
    // The tick lists the old configuration; the new one is set right after, before the claim.
    const racing = Object.create(store) as PollerStore;
    racing.sources = async (tenant?: string) => {
      const listed = await store.sources(tenant);
      if (!changed) {
        changed = true;
        await store.saveSource('acme', 'netsuite', settings('http://127.0.0.1:1/new'), null, new Date());
      }
      return listed;
    };
    const polled: StoredSource[] = [];
    const scheduler = new PollScheduler({
      store: racing,
      db,
      schema,
      tickMs: 50,
      breaker: { threshold: 5, cooldownMs: 60_000 },
      poll: async (source) => void polled.push(source),
      onCircuit: () => undefined,
      onPoll: () => undefined,
      logger: createLogger('scheduler-spec', 'silent'),
    });
    scheduler.start();
    try {
      const deadline = Date.now() + 10_000;
      while (polled.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // A few more ticks: an interval of 30 minutes, so nothing else is due.
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await scheduler.stop();
    }
    expect(polled.map((s) => s.url)).toEqual(['http://127.0.0.1:1/new']);
  });
});
