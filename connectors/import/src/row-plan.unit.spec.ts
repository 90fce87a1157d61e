import { contexts } from '@verity/domain';
import { importCommandId, rowPlanner, type ImportTarget } from './row-plan';

const target = (over: Partial<ImportTarget> = {}): ImportTarget => ({
  type: 'inventory.AdjustStock',
  tenant: 'acme',
  actor: 'cli:ops',
  sourceSystem: 'api',
  fileId: '0123456789abcdef',
  format: 'csv',
  ...over,
});
const at = new Date('2026-12-02T12:00:00Z');

describe('rowPlanner', () => {
  it("makes a CSV row the command the gateway would, its id the file's and the row's", () => {
    const plan = rowPlanner(contexts, target()).plan(
      { row: 7, fields: { sku: 'W-1', location: 'main', onHand: '150' } },
      at,
    );
    expect(plan).toEqual({
      row: 7,
      kind: 'command',
      fields: { sku: 'W-1', location: 'main', onHand: '150' },
      envelope: {
        commandId: 'import:0123456789abcdef:7',
        type: 'inventory.AdjustStock',
        streamId: 'acme/W-1',
        payload: { sku: 'W-1', location: 'main', onHand: 150 },
        metadata: {
          tenant: 'acme',
          actor: 'cli:ops',
          correlationId: 'import:0123456789abcdef',
          sourceSystem: 'api',
          sourceTimestamp: '2026-12-02T12:00:00.000Z',
          receivedAt: '2026-12-02T12:00:00.000Z',
        },
      },
    });
    expect(importCommandId('0123456789abcdef', 7)).toBe('import:0123456789abcdef:7');
  });

  it("records an act-as credential's principal and an admin credential as the gateway does", () => {
    const plan = rowPlanner(contexts, target({ onBehalfOf: 'alice', admin: true })).plan(
      { row: 1, fields: { sku: 'W-1', location: 'main', onHand: '1' } },
      at,
    );
    expect(plan.kind === 'command' && plan.envelope.metadata).toMatchObject({
      actor: 'cli:ops',
      onBehalfOf: 'alice',
      admin: true,
    });
    const plain = rowPlanner(contexts, target()).plan(
      { row: 1, fields: { sku: 'W-1', location: 'main', onHand: '1' } },
      at,
    );
    expect(plain.kind === 'command' && Object.keys(plain.envelope.metadata)).not.toContain('admin');
  });

  it('names every field a row gets wrong, and sends nothing for it', () => {
    const plan = rowPlanner(contexts, target()).plan(
      { row: 2, fields: { sku: 'W-1', onHand: '-3', colour: 'red' } },
      at,
    );
    expect(plan).toMatchObject({ row: 2, kind: 'invalid', problem: { code: 'unmappable_change' } });
    const paths = plan.kind === 'invalid' ? (plan.problem.fields ?? []).map((f) => f.path).sort() : [];
    expect(paths).toEqual(['location', 'onHand', 'payload']);
  });

  it('takes NDJSON values as they are typed: a quoted number is refused, not converted', () => {
    const planner = rowPlanner(contexts, target({ format: 'ndjson' }));
    expect(planner.plan({ row: 1, fields: { sku: 'W-1', location: 'main', onHand: 4 } }, at).kind).toBe('command');
    expect(planner.plan({ row: 2, fields: { sku: 'W-1', location: 'main', onHand: '4' } }, at)).toMatchObject({
      kind: 'invalid',
      problem: { fields: [{ path: 'onHand' }] },
    });
  });

  it('reports a line that could not be read, with its text', () => {
    expect(
      rowPlanner(contexts, target({ format: 'ndjson' })).plan({ row: 3, unreadable: '{x', reason: 'not JSON' }),
    ).toEqual({
      row: 3,
      kind: 'invalid',
      fields: '{x',
      problem: { code: 'unreadable_row', reason: 'not JSON' },
    });
  });

  it('refuses a tenant the envelope does not allow and a command type that does not exist', () => {
    expect(
      rowPlanner(contexts, target({ tenant: 'Not A Tenant' })).plan({
        row: 1,
        fields: { sku: 'W-1', location: 'm', onHand: '1' },
      }),
    ).toMatchObject({
      kind: 'invalid',
      problem: { fields: [{ path: 'metadata.tenant' }] },
    });
    expect(() => rowPlanner(contexts, target({ type: 'inventory.Teleport' }))).toThrow(/no command type/);
  });
});
