/** A child process for test/unit/ipc.test.ts: answers like a shard would, with one handler that fails. */
import { answerManager } from '../../src/sharding/ipc.js';

answerManager({
  echo: (payload) => ({ echoed: payload, pid: process.pid }),
  slow: () => new Promise((resolve) => setTimeout(() => resolve('late'), 200)),
  broken: () => {
    throw new Error('the store did not answer');
  },
});
// Tells the test it listens.
process.send?.({ childReady: true });
