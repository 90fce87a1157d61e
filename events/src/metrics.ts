import {
  Counter,
  Gauge,
  Histogram,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Registry,
} from 'prom-client';

/**
 * One metric per name and registry, shared by every runtime registering it: a service runs a
 * processor per context and a projector per read model, each labelled, in one registry.
 */
function shared<M, C extends { name: string }>(
  registry: Registry,
  config: C,
  create: (config: C & { registers: Registry[] }) => M,
): M {
  return (registry.getSingleMetric(config.name) as M | undefined) ?? create({ ...config, registers: [registry] });
}

export const sharedCounter = <T extends string>(registry: Registry, config: CounterConfiguration<T>): Counter<T> =>
  shared(registry, config, (c) => new Counter<T>(c));

export const sharedHistogram = <T extends string>(
  registry: Registry,
  config: HistogramConfiguration<T>,
): Histogram<T> => shared(registry, config, (c) => new Histogram<T>(c));

export const sharedGauge = <T extends string>(registry: Registry, config: GaugeConfiguration<T>): Gauge<T> =>
  shared(registry, config, (c) => new Gauge<T>(c));
