import { parseArgs, type ParseArgsConfig } from 'node:util';
import { VerityError } from '@verity/core';
import { UsageError } from './errors';

export const PROJECTIONS_USAGE =
  'verity projections list [--json] | rebuild <read model> [--max-lag n] [--drop-previous] | drop <read model> <generation>';

/** No read model of that name. */
export class UnknownReadModelError extends VerityError {
  constructor(name: string, known: readonly string[]) {
    super('unknown_read_model', `no read model ${name}; known: ${known.join(', ')}`, { context: { name } });
  }
}

/** No such generation of the read model. */
export class UnknownGenerationError extends VerityError {
  constructor(projection: string, generation: number) {
    super('unknown_generation', `${projection} has no generation ${generation}`, {
      context: { projection, generation },
    });
  }
}

/** The generation serves reads: it is never dropped. */
export class GenerationServingError extends VerityError {
  constructor(projection: string, generation: number) {
    super('generation_serving', `${projection} generation ${generation} serves reads; rebuild and switch first`, {
      context: { projection, generation },
    });
  }
}

/** The read model's tables hold more than its own events make: a rebuild from them would lose the rest. */
export class ReadModelNotRebuildableError extends VerityError {
  constructor(name: string, reason: string) {
    super('read_model_not_rebuildable', `${name} cannot be rebuilt: ${reason}`, { context: { name } });
  }
}

/** Another rebuild of the read model runs (it holds the read model's rebuild lock). */
export class RebuildInProgressError extends VerityError {
  constructor(projection: string) {
    super('rebuild_in_progress', `a rebuild of ${projection} is running`, { context: { projection } });
  }
}

export type ProjectionsArgs =
  | { action: 'list'; json: boolean }
  | { action: 'rebuild'; readModel: string; maxLag: number; dropPrevious: boolean }
  | { action: 'drop'; readModel: string; generation: number };

/** Lag (events) under which a rebuild switches by default. */
export const DEFAULT_MAX_LAG = 1000;

function parse(action: string, args: readonly string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`projections ${action}: ${(error as Error).message}`);
  }
}

const wholeNumber = (raw: string, what: string, min: number): number => {
  if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw)))
    throw new UsageError(`${what} ${raw}: a whole number from ${min}`);
  return Number(raw);
};

/** The command line of `verity projections`; the read model's name is checked against the known ones. */
export function parseProjectionsArgs(args: readonly string[], readModels: readonly string[]): ProjectionsArgs {
  const [action, ...rest] = args;
  const readModel = (name: string | undefined): string => {
    if (name === undefined) throw new UsageError(`projections ${action}: name a read model; ${PROJECTIONS_USAGE}`);
    if (!readModels.includes(name)) throw new UnknownReadModelError(name, readModels);
    return name;
  };
  switch (action) {
    case 'list': {
      const { values, positionals } = parse(action, rest, { json: { type: 'boolean' } });
      if (positionals.length > 0) throw new UsageError(`projections list: unexpected ${positionals.join(' ')}`);
      return { action, json: values.json === true };
    }
    case 'rebuild': {
      const { values, positionals } = parse(action, rest, {
        'max-lag': { type: 'string' },
        'drop-previous': { type: 'boolean' },
      });
      if (positionals.length > 1)
        throw new UsageError(`projections rebuild: one read model, got ${positionals.join(' ')}`);
      const maxLag = values['max-lag'];
      return {
        action,
        readModel: readModel(positionals[0]),
        maxLag: typeof maxLag === 'string' ? wholeNumber(maxLag, '--max-lag', 0) : DEFAULT_MAX_LAG,
        dropPrevious: values['drop-previous'] === true,
      };
    }
    case 'drop': {
      const { positionals } = parse(action, rest, {});
      if (positionals.length !== 2)
        throw new UsageError(`projections drop: a read model and a generation; ${PROJECTIONS_USAGE}`);
      return {
        action,
        readModel: readModel(positionals[0]),
        generation: wholeNumber(positionals[1]!, 'generation', 1),
      };
    }
    default:
      throw new UsageError(`projections: unknown action ${action ?? '(none)'}; ${PROJECTIONS_USAGE}`);
  }
}
