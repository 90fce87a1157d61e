import { processPlans } from './platform';

describe('the processes of the platform under test', () => {
  it("starts one process per service in verity start's order, whatever order they were named in", () => {
    expect(processPlans(['gateway', 'query-api', 'command-processor'], 1)).toEqual([
      { name: 'command-processor', service: 'command-processor', env: { VERITY_INSTANCE_ID: '1' } },
      { name: 'gateway', service: 'gateway', env: {} },
      { name: 'query-api', service: 'query-api', env: {} },
    ]);
  });

  it('runs the gateway and the processor n times, each processor with an instance id of its own', () => {
    expect(processPlans(['command-processor', 'projector', 'gateway'], 2)).toEqual([
      { name: 'command-processor-1', service: 'command-processor', env: { VERITY_INSTANCE_ID: '1' } },
      { name: 'command-processor-2', service: 'command-processor', env: { VERITY_INSTANCE_ID: '2' } },
      { name: 'projector', service: 'projector', env: {} },
      { name: 'gateway-1', service: 'gateway', env: {} },
      { name: 'gateway-2', service: 'gateway', env: {} },
    ]);
  });
});
