/**
 * Imported first by this package's index, so set in every process that runs a service before
 * libuv's thread pool starts (on its first use). librdkafka's calls run on that pool: each
 * partition reader's read waits there up to its idle wait, and a transactional call the broker
 * left unanswered holds its thread for good (see `CALL_TIMEOUT_MS` in group-commit.ts). A
 * gateway runs three readers and a process of the CLI or of a test runs several services, so
 * Node's default of 4 left the file system, DNS and LevelDB waiting behind them.
 */
process.env.UV_THREADPOOL_SIZE ??= '16';
