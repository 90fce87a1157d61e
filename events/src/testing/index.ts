// Test helpers for other packages' specs, imported as `@verity/events/testing`; the build and
// the package's main leave them out, so production code cannot reach them.
export {
  projectionSpec,
  type ProjectionSpecOptions,
  type ProjectionSpecOutcome,
  type SpecEvent,
  type SpecWhenOptions,
} from './projection-spec';
