import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidConnectorFileError, connectorRequest, parseConnectorFile } from './connector-config';

const checkedIn = readFileSync(join(__dirname, '..', 'debezium', 'erp-postgres.json'), 'utf8');

describe('the checked-in connector', () => {
  it('parses, and names pgoutput, a filtered publication, the slot, the tables and a heartbeat', () => {
    const file = parseConnectorFile(checkedIn);
    expect(file.verity).toEqual({ tenant: 'default', currency: 'EUR' });
    expect(file.config).toMatchObject({
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'plugin.name': 'pgoutput',
      'publication.autocreate.mode': 'filtered',
      'slot.name': 'verity_erp',
      'table.include.list': 'public.items,public.inventory_levels,public.price_list_lines',
      'heartbeat.interval.ms': expect.stringMatching(/^\d+$/),
      // Debezium's default of 500 ms is most of a change's way to the read model.
      'poll.interval.ms': '50',
      'decimal.handling.mode': 'string',
    });
  });
});

describe('connectorRequest', () => {
  const file = parseConnectorFile(checkedIn);

  it("puts the topics under Verity's prefix and the tenant and currency on every record, without the verity block", () => {
    const request = connectorRequest(file, { topicPrefix: 'verity' });
    expect(request.name).toBe('erp-postgres');
    expect(request.config).not.toHaveProperty('verity');
    expect(request.config).toMatchObject({
      'topic.prefix': 'verity.cdc.erp',
      'topic.heartbeat.prefix': 'verity.cdc-heartbeat',
      'database.dbname': 'erp',
      transforms: 'verityTenant,verityCurrency',
      'transforms.verityTenant.type': 'org.apache.kafka.connect.transforms.InsertHeader',
      'transforms.verityTenant.header': 'verity-tenant',
      'transforms.verityTenant.value.literal': 'default',
      'transforms.verityCurrency.header': 'verity-currency',
      'transforms.verityCurrency.value.literal': 'EUR',
    });
  });

  it("a run's own names: connector, database, slot, publication, tenant; transforms of the file are kept", () => {
    const request = connectorRequest(
      { ...file, config: { ...file.config, transforms: 'unwrap, verityTenant' } },
      {
        topicPrefix: 't123',
        name: 'erp-t123',
        database: 'erp_t123',
        slot: 's_t123',
        publication: 'p_t123',
        tenant: 'acme',
      },
    );
    expect(request.name).toBe('erp-t123');
    expect(request.config).toMatchObject({
      'topic.prefix': 't123.cdc.erp',
      'database.dbname': 'erp_t123',
      'slot.name': 's_t123',
      'publication.name': 'p_t123',
      transforms: 'unwrap,verityTenant,verityCurrency',
      'transforms.verityTenant.value.literal': 'acme',
    });
    expect(() => connectorRequest(file, { topicPrefix: 'x', tenant: 'Not A Tenant' })).toThrow(/tenant id/);
  });

  it('names what a connector file gets wrong', () => {
    expect(() => parseConnectorFile('{')).toThrow(InvalidConnectorFileError);
    expect(() => parseConnectorFile(JSON.stringify({ name: 'x', verity: { tenant: 'acme' }, config: {} }))).toThrow(
      /verity.currency/,
    );
    expect(() =>
      parseConnectorFile(JSON.stringify({ name: 'x', verity: { tenant: 'acme', currency: 'EUR' }, config: { a: 1 } })),
    ).toThrow(/config.a/);
  });
});
