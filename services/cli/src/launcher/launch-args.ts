import { UsageError } from '../errors';
import { SERVICE_NAMES, isServiceName, type ServiceName } from '../service-names';

export const SINGLE_PROCESS_FLAG = '--single-process';

export interface LaunchArgs {
  /** In start order. */
  services: ServiceName[];
  /** Every service in the launcher's own process, as before services had a process each. */
  singleProcess: boolean;
}

/** `verity start [--single-process] [service...]`: no name means every service. */
export function parseStartArgs(args: readonly string[]): LaunchArgs {
  const options = args.filter((a) => a.startsWith('-'));
  const unknownOptions = options.filter((o) => o !== SINGLE_PROCESS_FLAG);
  if (unknownOptions.length > 0)
    throw new UsageError(`unknown option ${unknownOptions.join(', ')}; known: ${SINGLE_PROCESS_FLAG}`);
  const names = args.filter((a) => !a.startsWith('-'));
  const unknown = names.filter((n) => !isServiceName(n));
  if (unknown.length > 0)
    throw new UsageError(`unknown service ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(', ')}`);
  return {
    services: names.length === 0 ? [...SERVICE_NAMES] : SERVICE_NAMES.filter((n) => names.includes(n)),
    singleProcess: options.includes(SINGLE_PROCESS_FLAG),
  };
}

/** `verity up [--single-process]`: the stack and every service. */
export function parseUpArgs(args: readonly string[]): LaunchArgs {
  const parsed = parseStartArgs(args);
  if (args.some((a) => !a.startsWith('-')))
    throw new UsageError('verity up starts every service; to choose, use verity start <service...>');
  return parsed;
}
