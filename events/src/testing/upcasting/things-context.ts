import { join } from 'node:path';
import { z } from 'zod';
import {
  defineContext,
  type ContextDefinition,
  DomainRejection,
  type Decider,
  type DomainCommand,
  type DomainEvent,
} from '@verity/core';
import { SchemaCatalog, readSchemaFiles } from '../../schema-catalog';
import type { Upcaster } from '../../upcasters';

/**
 * A test-only context `upcasttest` in two deployments: v1 counts things in dozens; v2 counts
 * in units and can remove things, so its decisions depend on reading old v1 events right.
 */
export const THINGS_CONTEXT = 'upcasttest';
export const THINGS_COUNTED = 'verity.upcasttest.ThingsCounted';
export const THINGS_REMOVED = 'verity.upcasttest.ThingsRemoved';

const thing = z.string().min(1);

/** The fixture schemas up to a deployment: v1 knows ThingsCounted v1 only; v2 adds its v2 and ThingsRemoved. */
export function thingsCatalog(deployment: 1 | 2): SchemaCatalog {
  const { versions, errors } = readSchemaFiles(join(__dirname, 'schemas'));
  if (errors[0]) throw errors[0];
  return new SchemaCatalog(
    deployment === 2 ? versions : versions.filter((v) => v.fullName === THINGS_COUNTED && v.version === 1),
  );
}

/** A dozen is 12 units, and says how they were packed: a change Avro defaults cannot express. */
export const dozensToUnits: Upcaster = {
  fullName: THINGS_COUNTED,
  fromVersion: 1,
  upcast: ({ thing: name, dozens }) => ({ thing: name, units: Number(dozens) * 12, packaging: 'dozen' }),
};

type CountDozens = DomainCommand<'CountThings', { thing: string; dozens: number }>;
type CountedV1 = DomainEvent<'ThingsCounted', { thing: string; dozens: number }>;

const v1Decider: Decider<{ dozens: number }, CountDozens, CountedV1> = {
  initialState: () => ({ dozens: 0 }),
  decide: (command) => [{ type: 'ThingsCounted', data: command.data }],
  evolve: (state, event) => ({ dozens: state.dozens + event.data.dozens }),
};

export const thingsContextV1: ContextDefinition = defineContext({
  name: THINGS_CONTEXT,
  commands: {
    CountThings: {
      schema: z.strictObject({ thing, dozens: z.number().int().positive() }),
      aggregateId: (p) => String(p.thing),
    },
  },
  decider: v1Decider,
  events: ['ThingsCounted'],
});

type ThingsCommandV2 = DomainCommand<'CountThings' | 'RemoveThings', { thing: string; units: number }>;
type ThingsEventV2 =
  | DomainEvent<'ThingsCounted', { thing: string; units: number; packaging: string }>
  | DomainEvent<'ThingsRemoved', { thing: string; units: number }>;

const v2Decider: Decider<{ units: number }, ThingsCommandV2, ThingsEventV2> = {
  initialState: () => ({ units: 0 }),
  decide(command, state) {
    switch (command.type) {
      case 'CountThings':
        return [{ type: 'ThingsCounted', data: { ...command.data, packaging: 'unit' } }];
      case 'RemoveThings':
        if (state.units < command.data.units) {
          throw new DomainRejection('insufficient_things', `${state.units} units held, ${command.data.units} asked`, {
            available: state.units,
          });
        }
        return [{ type: 'ThingsRemoved', data: command.data }];
      default: {
        const unknownCommand: never = command.type;
        throw new DomainRejection('unknown_command_type', String(unknownCommand));
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'ThingsCounted':
        return { units: state.units + event.data.units };
      case 'ThingsRemoved':
        return { units: state.units - event.data.units };
      default: {
        const unknownEvent: never = event;
        throw new Error(`unknown event ${JSON.stringify(unknownEvent)}`);
      }
    }
  },
};

const units = {
  schema: z.strictObject({ thing, units: z.number().int().positive() }),
  aggregateId: (p: Record<string, unknown>) => String(p.thing),
};

export const thingsContextV2: ContextDefinition = defineContext({
  name: THINGS_CONTEXT,
  commands: { CountThings: units, RemoveThings: units },
  decider: v2Decider,
  events: ['ThingsCounted', 'ThingsRemoved'],
});
