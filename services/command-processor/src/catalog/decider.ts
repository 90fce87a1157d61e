import { DomainRejection, type Decider } from '@verity/events';
import type { CatalogCommand, DiscontinueProductData, RegisterProductData, UpdateProductData } from './commands';
import type { CatalogEvent, ProductDiscontinued, ProductRegistered, ProductUpdated } from './events';

/** One product of the catalog: the aggregate behind stream `<tenant>/<sku>`. */
export interface ProductState {
  /** null until the product is registered. */
  sku: string | null;
  name: string;
  description: string | null;
  unit: string;
  attributes: Record<string, string>;
  status: 'active' | 'discontinued' | null;
}

const initialState = (): ProductState => ({ sku: null, name: '', description: null, unit: '', attributes: {}, status: null });

const sameAttributes = (a: Record<string, string>, b: Record<string, string>): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && b[key] === a[key]);
};

function checkStream(state: ProductState, sku: string): void {
  if (state.sku !== null && state.sku !== sku) throw new DomainRejection('wrong_stream', `stream holds SKU ${state.sku}, not ${sku}`);
}

/** An existing, still active product, or the rejection that says why not. */
function requireActive(state: ProductState, sku: string): void {
  checkStream(state, sku);
  if (state.status === null) throw new DomainRejection('unknown_product', `no product with SKU ${sku} is registered`, { sku });
  if (state.status === 'discontinued') throw new DomainRejection('product_discontinued', `product ${sku} is discontinued`, { sku });
}

function registerProduct(data: RegisterProductData, state: ProductState): ProductRegistered[] {
  checkStream(state, data.sku);
  if (state.status !== null) throw new DomainRejection('product_already_registered', `a product with SKU ${data.sku} is already registered`, { sku: data.sku });
  return [
    {
      type: 'ProductRegistered',
      data: { sku: data.sku, name: data.name, unit: data.unit, description: data.description ?? null, attributes: { ...(data.attributes ?? {}) } },
    },
  ];
}

/** Emits only what changes; an update that changes nothing is rejected (`no_change`), so the log holds no empty updates. */
function updateProduct(data: UpdateProductData, state: ProductState): ProductUpdated[] {
  requireActive(state, data.sku);
  const changed: ProductUpdated['data'] = {
    sku: data.sku,
    name: data.name !== undefined && data.name !== state.name ? data.name : null,
    description: data.description !== undefined && data.description !== state.description ? data.description : null,
    unit: data.unit !== undefined && data.unit !== state.unit ? data.unit : null,
    attributes: data.attributes !== undefined && !sameAttributes(data.attributes, state.attributes) ? { ...data.attributes } : null,
  };
  if (changed.name === null && changed.description === null && changed.unit === null && changed.attributes === null) {
    throw new DomainRejection('no_change', `the update leaves product ${data.sku} as it is`, { sku: data.sku });
  }
  return [{ type: 'ProductUpdated', data: changed }];
}

function discontinueProduct(data: DiscontinueProductData, state: ProductState): ProductDiscontinued[] {
  requireActive(state, data.sku);
  return [{ type: 'ProductDiscontinued', data: { sku: data.sku, reason: data.reason ?? null } }];
}

function decide(command: CatalogCommand, state: ProductState): CatalogEvent[] {
  switch (command.type) {
    case 'RegisterProduct':
      return registerProduct(command.data, state);
    case 'UpdateProduct':
      return updateProduct(command.data, state);
    case 'DiscontinueProduct':
      return discontinueProduct(command.data, state);
    default: {
      const unknownCommand: never = command;
      throw new DomainRejection('unknown_command_type', `unknown catalog command ${String((unknownCommand as CatalogCommand).type)}`);
    }
  }
}

function evolve(state: ProductState, event: CatalogEvent): ProductState {
  switch (event.type) {
    case 'ProductRegistered': {
      const { sku, name, unit, description, attributes } = event.data;
      return { sku, name, unit, description: description ?? null, attributes: { ...(attributes ?? {}) }, status: 'active' };
    }
    case 'ProductUpdated': {
      const { name, description, unit, attributes } = event.data;
      return {
        ...state,
        name: name ?? state.name,
        description: description ?? state.description,
        unit: unit ?? state.unit,
        attributes: attributes ? { ...attributes } : state.attributes,
      };
    }
    case 'ProductDiscontinued':
      return { ...state, status: 'discontinued' };
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown catalog event ${String((unknownEvent as CatalogEvent).type)}`);
    }
  }
}

export const catalogDecider: Decider<ProductState, CatalogCommand, CatalogEvent> = { decide, evolve, initialState };
