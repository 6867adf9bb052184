import { afterEach, describe, expect, it } from 'vitest';
import { assertShownAfterPersisted, createBench, until } from './queue-doubles.js';

afterEach(assertShownAfterPersisted);

describe('queue service: where the member sees the job', () => {
  it('keeps a moved reply target through later state changes, so a restart edits the channel message', async () => {
    const bench = createBench();
    const job = await bench.submit('g1', 'alice');
    await until(() => bench.runner.isWaiting('p1'), 'the prediction wait');

    await bench.queue.updateReply(job.id, { ...job.reply, channelMessageId: '1400000000000000001' });
    expect(bench.store.peek(job.id)?.reply.channelMessageId).toBe('1400000000000000001');

    bench.runner.end('p1', 'succeeded');
    await until(() => bench.store.peek(job.id)?.state === 'done', 'done');
    expect(bench.store.peek(job.id)?.reply.channelMessageId).toBe('1400000000000000001');
  });
});
