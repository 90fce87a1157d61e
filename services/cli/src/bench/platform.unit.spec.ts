import { cpuProfileOf, processPlans } from './platform';

describe('the processes of the platform under test', () => {
  it("starts one process per service in verity start's order, whatever order they were named in", () => {
    expect(processPlans(['gateway', 'query-api', 'command-processor'], 1)).toEqual([
      { name: 'command-processor', service: 'command-processor', env: { VERITY_INSTANCE_ID: '1' }, nodeArgs: [] },
      { name: 'gateway', service: 'gateway', env: {}, nodeArgs: [] },
      { name: 'query-api', service: 'query-api', env: {}, nodeArgs: [] },
    ]);
  });

  it('runs the gateway and the processor n times, each processor with an instance id of its own', () => {
    expect(processPlans(['command-processor', 'projector', 'gateway'], 2)).toEqual([
      { name: 'command-processor-1', service: 'command-processor', env: { VERITY_INSTANCE_ID: '1' }, nodeArgs: [] },
      { name: 'command-processor-2', service: 'command-processor', env: { VERITY_INSTANCE_ID: '2' }, nodeArgs: [] },
      { name: 'projector', service: 'projector', env: {}, nodeArgs: [] },
      { name: 'gateway-1', service: 'gateway', env: {}, nodeArgs: [] },
      { name: 'gateway-2', service: 'gateway', env: {}, nodeArgs: [] },
    ]);
  });

  it('asks V8 for a CPU profile of each process, named by the run and the process, when profiles are wanted', () => {
    const profiles = { dir: '/tmp/profiles', prefix: 'bench1a2b' };
    const plans = processPlans(['command-processor', 'gateway'], 2, profiles);
    expect(plans.map((p) => p.nodeArgs)).toEqual(
      ['command-processor-1', 'command-processor-2', 'gateway-1', 'gateway-2'].map((name) => [
        '--cpu-prof',
        '--cpu-prof-dir=/tmp/profiles',
        `--cpu-prof-name=bench1a2b.${name}.cpuprofile`,
      ]),
    );
    expect(cpuProfileOf(profiles, 'gateway-2')).toBe('/tmp/profiles/bench1a2b.gateway-2.cpuprofile');
  });
});
