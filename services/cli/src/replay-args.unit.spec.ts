import { parseReplayArgs } from './replay-args';
import { isProtectedTopic } from './replay-command';

const base = ['--context', 'inventory', '--from', '0', '--to', '100'];

describe('parseReplayArgs', () => {
  it('reads offsets, ISO times, filters and the target', () => {
    expect(parseReplayArgs([...base, '--target', 'stdout'])).toEqual({
      context: 'inventory',
      from: { kind: 'offset', offset: 0n },
      to: { kind: 'offset', offset: 100n },
      target: { kind: 'stdout' },
    });
    expect(
      parseReplayArgs([
        '--context=pricing',
        '--from',
        '2026-12-01T10:00:00Z',
        '--to',
        '2026-12-02',
        '--stream',
        'acme/SKU-1',
        '--tenant',
        'acme',
        '--target',
        'topic:team-a.prices',
      ]),
    ).toEqual({
      context: 'pricing',
      from: { kind: 'time', ms: Date.parse('2026-12-01T10:00:00Z') },
      to: { kind: 'time', ms: Date.parse('2026-12-02') },
      stream: 'acme/SKU-1',
      tenant: 'acme',
      target: { kind: 'topic', topic: 'team-a.prices' },
    });
    expect(parseReplayArgs([...base, '--target', 'webhook:whs_abcdefghijklmnop']).target).toEqual({
      kind: 'webhook',
      subscriptionId: 'whs_abcdefghijklmnop',
    });
  });

  it.each([
    [['--from', '0', '--to', '1', '--target', 'stdout'], 'replay needs --context <name>'],
    [['--context', 'inventory', '--to', '1', '--target', 'stdout'], 'replay needs --from and --to'],
    [[...base, '--target', 'webhook:sub-1'], '--target webhook:sub-1: a subscription id is whs_'],
    [[...base, '--target', 'mail:x'], 'replay needs --target topic:<name>, --target webhook:<subscription id> or'],
    [[...base, '--target', 'topic:a b'], 'a topic name is letters, digits'],
    [['--context', 'nowhere', '--from', '0', '--to', '1', '--target', 'stdout'], 'unknown context nowhere'],
    [['--context', 'inventory', '--from', 'monday', '--to', '1', '--target', 'stdout'], '--from monday: an offset'],
    [['--context', 'inventory', '--from', '2026-13-45', '--to', '1', '--target', 'stdout'], '--from 2026-13-45'],
    [['--context', 'inventory', '--from', '5', '--to', '1', '--target', 'stdout'], '--to is before --from'],
    [[...base, '--stream', 'SKU-1', '--target', 'stdout'], '--stream SKU-1: not <tenant>/<aggregate id>'],
    [[...base, '--tenant', 'ACME', '--target', 'stdout'], '--tenant ACME: lowercase'],
    [[...base, '--stream', 'acme/S', '--tenant', 'globex', '--target', 'stdout'], 'is not of --tenant globex'],
    [[...base, '--target', 'stdout', '--speed', '2'], 'replay: unknown option --speed'],
    [[...base, '--target'], '--target needs a value'],
    [[...base, '--from', '1', '--target', 'stdout'], '--from given twice'],
  ])('refuses %j with a usage error', (args, message) => {
    expect(() => parseReplayArgs(args)).toThrow(
      expect.objectContaining({ code: 'usage', message: expect.stringContaining(message) }),
    );
  });
});

describe('isProtectedTopic', () => {
  it("names Verity's own topics under the configured prefix and the default one", () => {
    for (const topic of [
      't-1.inventory.events',
      't-1.pricing.commands',
      't-1.catalog.state',
      't-1.inventory.commands.dlq',
      't-1.command-replies',
      't-1.aliases.resolutions',
      'verity.aliases.resolutions',
      'verity.inventory.events',
      'verity.anything.state',
    ])
      expect([topic, isProtectedTopic(topic, 't-1')]).toEqual([topic, true]);
    for (const topic of ['team-a.inventory.events', 't-1.downstream-copy', 'verity-copy.inventory', 'inventory.events'])
      expect([topic, isProtectedTopic(topic, 't-1')]).toEqual([topic, false]);
  });
});
