'use strict';
/**
 * Runs before jest starts its workers, which inherit this environment. A test file runs several
 * services in one process, each with librdkafka readers waiting on libuv's thread pool (see
 * services/kit/src/threadpool.ts): the pool is sized before a worker's first use of it.
 */
module.exports = () => {
  process.env.UV_THREADPOOL_SIZE ??= '16';
};
