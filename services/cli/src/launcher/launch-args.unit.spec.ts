import { UsageError } from '../errors';
import { SERVICE_NAMES } from '../service-names';
import { parseStartArgs, parseUpArgs } from './launch-args';

describe('verity start and verity up arguments', () => {
  it('start with nothing: every service, each in its own process', () => {
    expect(parseStartArgs([])).toEqual({ services: [...SERVICE_NAMES], singleProcess: false });
  });

  it('start with names: those services, in start order whatever the order given', () => {
    expect(parseStartArgs(['query-api', 'command-processor'])).toEqual({
      services: ['command-processor', 'query-api'],
      singleProcess: false,
    });
  });

  it('--single-process before, after or between the names', () => {
    for (const args of [
      ['--single-process', 'gateway'],
      ['gateway', '--single-process'],
    ])
      expect(parseStartArgs(args)).toEqual({ services: ['gateway'], singleProcess: true });
    expect(parseStartArgs(['projector', '--single-process', 'gateway'])).toEqual({
      services: ['projector', 'gateway'],
      singleProcess: true,
    });
  });

  it('an unknown service or option is a usage error naming it', () => {
    expect(() => parseStartArgs(['gateway', 'billing'])).toThrow(UsageError);
    expect(() => parseStartArgs(['billing'])).toThrow('unknown service billing; known: command-processor,');
    expect(() => parseStartArgs(['--single'])).toThrow('unknown option --single; known: --single-process');
  });

  it('up takes the flag only: it always starts every service', () => {
    expect(parseUpArgs([])).toEqual({ services: [...SERVICE_NAMES], singleProcess: false });
    expect(parseUpArgs(['--single-process'])).toEqual({ services: [...SERVICE_NAMES], singleProcess: true });
    expect(() => parseUpArgs(['gateway'])).toThrow(UsageError);
    expect(() => parseUpArgs(['--watch'])).toThrow('unknown option --watch');
  });
});
