// The layering of Verity's workspaces, checked by `npm run layering`.
// Paths are relative to the repository root; workspace imports (`@verity/<name>`) are resolved
// to the package's src/index.ts through tsconfig.depcruise.json, so every rule sees the
// cross-package edges in source form (a package's main points at dist/, which may not be built).

/** A workspace's folder; the first alternative that matches wins, so events/core is not read as events. */
const PACKAGE = '(events/core|events|domain|infra/local|services/[^/]+|projections/[^/]+|connectors/[^/]+)';
/** Tests (and nothing else) may reach past a production boundary. */
const SPEC = '\\.spec\\.ts$';
/** The deployables: each has a src/main.ts and runs as its own process. */
const DEPLOYABLE =
  '^services/(gateway|command-processor|projector|query-api|webhook-ingestor|cdc-ingestor|poller|cli)/';
/** Libraries that talk to the network, a database or a log pipeline. */
const IO_LIBRARIES =
  '^node_modules/(kafkajs|pg|pg-[^/]+|knex|ioredis|@kafkajs/confluent-schema-registry|express|pino|pino-http|prom-client|graphql-yoga|dataloader)/';
/** Node built-ins that touch files, sockets or processes. */
const IO_BUILT_INS =
  '^(fs|fs/promises|net|http|https|http2|tls|dgram|dns|dns/promises|child_process|cluster|worker_threads|readline|os|inspector)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-nothing-of-the-project',
      comment:
        '@verity/core is the vocabulary every other package shares (decider, envelope, errors, ' +
        'hash chain, generated event types); importing any of them back would make it depend on ' +
        'what depends on it.',
      severity: 'error',
      from: { path: '^events/core/src/' },
      to: { path: '^(events|domain|services|projections|infra|connectors|schemas|scripts)/', pathNot: '^events/core/' },
    },
    {
      name: 'core-does-no-io',
      comment:
        '@verity/core is Kafka-free so deciders and their specs run without a broker, a database ' +
        'or a file system; the I/O runtimes live in @verity/events. Its specs may use files.',
      severity: 'error',
      from: { path: '^events/core/src/', pathNot: SPEC },
      to: { path: [IO_LIBRARIES, IO_BUILT_INS] },
    },
    {
      name: 'domain-imports-only-core',
      comment:
        'The rules of each context depend on @verity/core, zod, safe-regex2 and the pure built-ins ' +
        '(crypto, assert, util) only: no Kafka, no database, no other workspace, so they read like a ' +
        'textbook and test in milliseconds.',
      severity: 'error',
      from: { path: '^domain/src/' },
      to: {
        pathNot: [
          '^domain/',
          '^events/core/src/',
          '^node_modules/(zod|safe-regex2)/',
          '^(crypto|assert|assert/strict|util)$',
        ],
      },
    },
    {
      name: 'events-imports-only-core',
      comment:
        '@verity/events holds the runtimes every context and read model runs on; it knows no context ' +
        '(the domain hands it ContextDefinitions), no read model (projections hand it a Projection) and ' +
        'no service, so dependencies keep pointing one way: services → projections, domain → events → core.',
      severity: 'error',
      from: { path: '^events/src/' },
      to: { path: '^(domain|services|projections|infra|connectors)/' },
    },
    {
      name: 'service-kit-imports-only-core-and-events',
      comment:
        'The service kit is what every deployable is built from (settings, clients, HTTP surface, ' +
        'lifecycle); knowing a context or a read model would make every service depend on all of them.',
      severity: 'error',
      from: { path: '^services/kit/' },
      to: { path: '^(domain|services|projections|infra|connectors)/', pathNot: '^services/kit/' },
    },
    {
      name: 'infra-local-imports-no-workspace',
      comment:
        'The local stack is started before anything else runs and by the CLI alone; it needs none of ' +
        'the packages that run on it.',
      severity: 'error',
      from: { path: '^infra/local/' },
      to: { path: '^(events|domain|services|projections|connectors|schemas)/' },
    },
    {
      name: 'no-imports-of-deployables',
      comment:
        'A deployable (gateway, command-processor, projector, query-api, the CLI) is the top of the ' +
        'graph: no other package, no other service, may import it. The one exception is ' +
        'services/cli/src/services.ts: `verity start --single-process`, the bench and the e2e suites ' +
        'run the four services in one process, so the CLI constructs each from its package ' +
        '(createGatewayService and the like), and `verity projections` rebuilds the read models ' +
        'the projector builds, with its settings (re-exported there).',
      severity: 'error',
      from: { path: `^${PACKAGE}/`, pathNot: '^services/cli/src/services\\.ts$' },
      to: { path: DEPLOYABLE, pathNot: '^$1/' },
    },
    {
      name: 'read-side-never-imports-write-side',
      comment:
        'The query-api and the projections read what the log says; they never decide. Importing ' +
        'the gateway, the command-processor or the processor runtime (events/src/processor) would ' +
        'couple a read model to the write path it must stay independent of.',
      severity: 'error',
      from: { path: '^(services/query-api|projections/[^/]+)/', pathNot: SPEC },
      to: { path: '^(services/(gateway|command-processor)/|events/src/processor/)' },
    },
    {
      name: 'projections-import-only-core-events-domain',
      comment:
        'A read model is a library the projector and the query-api load: it may build on ' +
        '@verity/core, @verity/events, @verity/domain and npm packages, never on a service (the ' +
        'service kit included) or another projection, so a projection can be replayed on its own.',
      severity: 'error',
      from: { path: '^(projections/[^/]+)/', pathNot: SPEC },
      to: {
        pathNot: ['^$1/', '^events/(core/)?src/', '^domain/src/', '^node_modules/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'connectors-import-only-core-events-domain-intake',
      comment:
        "An ingestor turns a source's change into an ordinary command: it builds on @verity/core, " +
        '@verity/events, @verity/domain, the shared intake (connectors/intake), the service kit and ' +
        "npm packages, never on a deployable, a read model or another ingestor's files, so each " +
        'can be run and replaced on its own.',
      severity: 'error',
      from: { path: '^(connectors/[^/]+)/', pathNot: SPEC },
      to: {
        pathNot: [
          '^$1/',
          '^events/(core/)?src/',
          '^domain/src/',
          '^connectors/intake/src/',
          '^services/kit/src/',
          '^node_modules/',
        ],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'no-deep-imports',
      comment:
        "A package's public surface is its src/index.ts; importing another package's inner file " +
        '(`@verity/<name>/src/...`) makes its internals public and breaks when they move.',
      severity: 'error',
      from: { path: `^${PACKAGE}/`, pathNot: SPEC },
      // A library npm installed inside a workspace (another major than the root's) is not one of its files.
      to: { path: `^${PACKAGE}/`, pathNot: ['^$1/(src|scripts)/', `^${PACKAGE}/src/index\\.ts$`, '/node_modules/'] },
    },
    {
      name: 'specs-deep-import-only-testing-helpers',
      comment:
        "A spec may also use another package's test helpers through their entry point " +
        '(`@verity/<name>/testing`, src/testing/index.ts, which the build leaves out) and no other of its inner files.',
      severity: 'error',
      from: { path: `^${PACKAGE}/.+${SPEC}` },
      to: {
        path: `^${PACKAGE}/`,
        pathNot: ['^$1/(src|scripts)/', `^${PACKAGE}/src/(testing/)?index\\.ts$`],
      },
    },
    {
      name: 'no-relative-imports-across-packages',
      comment:
        'Packages import each other by name (`@verity/<name>`), never by a relative path: a relative ' +
        'path skips the dependency in package.json, and turbo then builds them in the wrong order.',
      severity: 'error',
      from: { path: `^${PACKAGE}/` },
      to: {
        path: `^${PACKAGE}/`,
        pathNot: '^$1/(src|scripts)/',
        dependencyTypes: ['local'],
        dependencyTypesNot: ['aliased'],
      },
    },
    {
      name: 'no-circular',
      comment:
        'A cycle makes the modules in it one unit: none can be understood, tested or moved alone, ' +
        'and across packages it breaks the build order.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'workspaces-resolve-to-source',
      comment:
        'Guards the check itself: an import that lands in a dist/ folder is a workspace missing from ' +
        'tsconfig.depcruise.json (or an import of build output), and its edges would escape every rule above.',
      severity: 'error',
      from: {},
      to: { path: '(^|/)dist/', pathNot: '(^|/)node_modules/' },
    },
    {
      name: 'no-unresolvable-imports',
      comment: 'Guards the check itself: an import that cannot be resolved has no path, so no rule above can see it.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Third-party code and build output are endpoints, not part of the graph.
    doNotFollow: { path: ['(^|/)node_modules/', '(^|/)dist/'] },
    // Type-only imports count: `import type` from another layer is still a dependency on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
