import { contexts } from '@verity/domain';
import { UnmappableChangeError, commandOfChange, type SourceChange } from './source-change';

const change = (over: Partial<SourceChange> = {}): SourceChange => ({
  type: 'inventory.AdjustStock',
  payload: { sku: 'WIDGET-001', location: 'main', onHand: 150 },
  tenant: 'acme',
  commandId: 'netsuite-delivery-1',
  sourceSystem: 'netsuite',
  sourceTimestamp: '2025-07-15T10:30:00Z',
  actor: 'connector:netsuite',
  ...over,
});

describe('commandOfChange', () => {
  it('makes the command the gateway would: stream of the tenant, source and source time in the metadata', () => {
    const at = new Date('2026-12-02T12:00:00Z');
    expect(commandOfChange(contexts, change(), at)).toEqual({
      commandId: 'netsuite-delivery-1',
      type: 'inventory.AdjustStock',
      streamId: 'acme/WIDGET-001',
      payload: { sku: 'WIDGET-001', location: 'main', onHand: 150 },
      metadata: {
        tenant: 'acme',
        actor: 'connector:netsuite',
        correlationId: 'netsuite-delivery-1',
        sourceSystem: 'netsuite',
        sourceTimestamp: '2025-07-15T10:30:00Z',
        receivedAt: '2026-12-02T12:00:00.000Z',
      },
    });
  });

  it('names the field a payload gets wrong', () => {
    const refused = () => commandOfChange(contexts, change({ payload: { sku: 'WIDGET-001', location: 'main' } }));
    expect(refused).toThrow(UnmappableChangeError);
    expect(refused).toThrow(/onHand/);
  });

  it('refuses an unknown command type and a tenant id the envelope does not allow', () => {
    expect(() => commandOfChange(contexts, change({ type: 'inventory.Teleport' }))).toThrow(/no command type/);
    expect(() => commandOfChange(contexts, change({ tenant: 'Not A Tenant' }))).toThrow(/metadata.tenant/);
  });
});
