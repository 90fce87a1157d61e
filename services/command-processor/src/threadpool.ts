/**
 * Imported first by main.ts, before libuv's thread pool starts: librdkafka's calls run on it,
 * and a transactional call the broker left unanswered holds its thread for good (see
 * `CALL_TIMEOUT_MS` in group-commit.ts). Node's default of 4 leaves no room for that.
 */
process.env.UV_THREADPOOL_SIZE ??= '16';
