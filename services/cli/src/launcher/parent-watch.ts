/**
 * Preloaded (`node --require`) into every service process `verity start` runs. The launcher
 * holds an IPC channel to each; the channel closes when the launcher dies however it dies
 * (SIGKILL, the OOM killer), and the service then stops as on SIGTERM instead of living on,
 * unsupervised, on its port.
 */
process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
