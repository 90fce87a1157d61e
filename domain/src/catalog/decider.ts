import { DomainRejection, sourceOf, type ChangeSource, type Decider } from '@verity/core';
import {
  authorityRulesOf,
  judgeChange,
  openConflictOf,
  provenanceOf,
  sourceConflict,
  type OpenConflict,
  type Provenance,
} from '../sources/governance';
import type { CatalogCommand, DiscontinueProductData, RegisterProductData, ResolveConflictData } from './commands';
import type {
  CatalogEvent,
  ConflictDetected,
  ConflictResolved,
  ProductDiscontinued,
  ProductRegistered,
  ProductUpdated,
} from './events';

/** The product fields a source system can change, and own (`catalog.<field>` in authority rules). */
const FIELDS = ['name', 'description', 'unit', 'attributes'] as const;
type ProductField = (typeof FIELDS)[number];

/** One product of the catalog: the aggregate behind stream `<tenant>/<sku>`. */
export interface ProductState {
  /** null until the product is registered. */
  sku: string | null;
  name: string;
  description: string | null;
  unit: string;
  attributes: Record<string, string>;
  status: 'active' | 'discontinued' | null;
  /** Source of each field's value. Optional: snapshots from before v2 events have none. */
  provenance?: Partial<Record<ProductField, Provenance>>;
  /** Open source conflicts by id. Optional for the same reason. */
  conflicts?: Record<string, OpenConflict>;
}

const initialState = (): ProductState => ({
  sku: null,
  name: '',
  description: null,
  unit: '',
  attributes: {},
  status: null,
  provenance: {},
  conflicts: {},
});

const sameAttributes = (a: Record<string, string>, b: Record<string, string>): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && b[key] === a[key]);
};

function checkStream(state: ProductState, sku: string): void {
  if (state.sku !== null && state.sku !== sku)
    throw new DomainRejection('wrong_stream', `stream holds SKU ${state.sku}, not ${sku}`);
}

/** An existing, still active product, or the rejection that says why not. */
function requireActive(state: ProductState, sku: string): void {
  checkStream(state, sku);
  if (state.status === null)
    throw new DomainRejection('unknown_product', `no product with SKU ${sku} is registered`, { sku });
  if (state.status === 'discontinued')
    throw new DomainRejection('product_discontinued', `product ${sku} is discontinued`, { sku });
}

const sourced = (source: ChangeSource): { sourceSystem: string; sourceTimestamp: string } => provenanceOf(source);

/** The first values of a product are taken from whoever registers it; authority rules govern changes of them. */
function registerProduct(data: RegisterProductData, state: ProductState, source: ChangeSource): ProductRegistered[] {
  checkStream(state, data.sku);
  if (state.status !== null)
    throw new DomainRejection('product_already_registered', `a product with SKU ${data.sku} is already registered`, {
      sku: data.sku,
    });
  return [
    {
      type: 'ProductRegistered',
      data: {
        sku: data.sku,
        name: data.name,
        unit: data.unit,
        description: data.description ?? null,
        attributes: { ...(data.attributes ?? {}) },
        ...sourced(source),
      },
    },
  ];
}

type FieldValues = Pick<ProductUpdated['data'], ProductField>;

const unchanged = (): FieldValues => ({ name: null, description: null, unit: null, attributes: null });

const differs = (field: ProductField, incoming: unknown, state: ProductState): boolean =>
  field === 'attributes'
    ? !sameAttributes(incoming as Record<string, string>, state.attributes)
    : incoming !== state[field];

/**
 * Applies the fields that change and whose change the tenant's authority rules and the
 * fields' last source times allow; every other changed field becomes a `ConflictDetected`
 * with both values. An update that changes nothing is rejected (`no_change`), so the log
 * holds no empty updates.
 */
function updateProduct(
  command: Extract<CatalogCommand, { type: 'UpdateProduct' }>,
  state: ProductState,
): (ProductUpdated | ConflictDetected)[] {
  const { data } = command;
  requireActive(state, data.sku);
  const source = sourceOf(command);
  const rules = authorityRulesOf(command);
  const applied: FieldValues = unchanged();
  const conflicts: ConflictDetected[] = [];
  for (const field of FIELDS) {
    const incoming = data[field];
    if (incoming === undefined || !differs(field, incoming, state)) continue;
    const provenance = state.provenance?.[field];
    const judgement = judgeChange(`catalog.${field}`, source, provenance, rules);
    if (judgement) {
      const conflict = sourceConflict({
        command,
        field: `catalog.${field}`,
        sku: data.sku,
        current: state[field],
        applied: provenance,
        incoming,
        judgement,
      });
      conflicts.push({ type: 'ConflictDetected', data: conflict });
    } else {
      Object.assign(applied, {
        [field]: field === 'attributes' ? { ...(incoming as Record<string, string>) } : incoming,
      });
    }
  }
  const updates: ProductUpdated[] = FIELDS.some((field) => applied[field] !== null)
    ? [{ type: 'ProductUpdated', data: { sku: data.sku, ...applied, ...sourced(source) } }]
    : [];
  if (updates.length === 0 && conflicts.length === 0) {
    throw new DomainRejection('no_change', `the update leaves product ${data.sku} as it is`, { sku: data.sku });
  }
  return [...updates, ...conflicts];
}

/** `incoming` applies the refused value with its own source and time, unless the product already holds it. */
function resolveConflict(data: ResolveConflictData, state: ProductState): (ConflictResolved | ProductUpdated)[] {
  checkStream(state, data.sku);
  if (state.status === null)
    throw new DomainRejection('unknown_product', `no product with SKU ${data.sku} is registered`, { sku: data.sku });
  const open = state.conflicts?.[data.conflictId];
  if (!open)
    throw new DomainRejection('conflict_not_found', `no open conflict ${data.conflictId} on product ${data.sku}`, {
      conflictId: data.conflictId,
    });
  const resolved: ConflictResolved = {
    type: 'ConflictResolved',
    data: { conflictId: data.conflictId, sku: data.sku, location: null, field: open.field, accepted: data.accept },
  };
  if (data.accept === 'current') return [resolved];
  requireActive(state, data.sku);
  const field = open.field.slice('catalog.'.length) as ProductField;
  const incoming: unknown = JSON.parse(open.incomingValue);
  if (!differs(field, incoming, state)) return [resolved];
  const values = { ...unchanged(), [field]: incoming };
  return [
    resolved,
    {
      type: 'ProductUpdated',
      data: {
        sku: data.sku,
        ...values,
        sourceSystem: open.incomingSourceSystem,
        sourceTimestamp: open.incomingSourceTimestamp,
      },
    },
  ];
}

function discontinueProduct(data: DiscontinueProductData, state: ProductState): ProductDiscontinued[] {
  requireActive(state, data.sku);
  return [{ type: 'ProductDiscontinued', data: { sku: data.sku, reason: data.reason ?? null } }];
}

function decide(command: CatalogCommand, state: ProductState): CatalogEvent[] {
  switch (command.type) {
    case 'RegisterProduct':
      return registerProduct(command.data, state, sourceOf(command));
    case 'UpdateProduct':
      return updateProduct(command, state);
    case 'DiscontinueProduct':
      return discontinueProduct(command.data, state);
    case 'ResolveConflict':
      return resolveConflict(command.data, state);
    default: {
      const unknownCommand: never = command;
      throw new DomainRejection(
        'unknown_command_type',
        `unknown catalog command ${String((unknownCommand as CatalogCommand).type)}`,
      );
    }
  }
}

/** The provenance an event gives the fields it sets; none for v1 events, which carry no source. */
function provenanceFor(
  fields: readonly ProductField[],
  data: { sourceSystem: string | null; sourceTimestamp: string | null },
): Partial<Record<ProductField, Provenance>> {
  const { sourceSystem, sourceTimestamp } = data;
  if (sourceSystem === null || sourceTimestamp === null) return {};
  return Object.fromEntries(fields.map((field) => [field, { sourceSystem, sourceTimestamp }]));
}

function evolve(state: ProductState, event: CatalogEvent): ProductState {
  switch (event.type) {
    case 'ProductRegistered': {
      const { sku, name, unit, description, attributes } = event.data;
      return {
        sku,
        name,
        unit,
        description: description ?? null,
        attributes: { ...(attributes ?? {}) },
        status: 'active',
        provenance: provenanceFor(FIELDS, event.data),
        conflicts: state.conflicts ?? {},
      };
    }
    case 'ProductUpdated': {
      const { name, description, unit, attributes } = event.data;
      return {
        ...state,
        name: name ?? state.name,
        description: description ?? state.description,
        unit: unit ?? state.unit,
        attributes: attributes ? { ...attributes } : state.attributes,
        provenance: {
          ...state.provenance,
          ...provenanceFor(
            FIELDS.filter((field) => event.data[field] !== null),
            event.data,
          ),
        },
      };
    }
    case 'ProductDiscontinued':
      return { ...state, status: 'discontinued' };
    case 'ConflictDetected':
      return { ...state, conflicts: { ...state.conflicts, [event.data.conflictId]: openConflictOf(event.data) } };
    case 'ConflictResolved': {
      const { [event.data.conflictId]: _resolved, ...conflicts } = state.conflicts ?? {};
      return { ...state, conflicts };
    }
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown catalog event ${String((unknownEvent as CatalogEvent).type)}`);
    }
  }
}

export const catalogDecider: Decider<ProductState, CatalogCommand, CatalogEvent> = { decide, evolve, initialState };
