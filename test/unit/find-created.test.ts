import { describe, expect, it } from 'vitest';
import { makeJob } from '../fakes/replicate/runner-fixture.js';
import { waitUntil } from '../harness/bot-process.js';
import { useRunnerFixture } from '../harness/use-runner-fixture.js';

const fixture = useRunnerFixture();

describe('adopting a prediction after an ambiguous create, among identical requests', () => {
  it("a job whose create was answered 502 adopts the prediction it made, not an earlier job's with the same text", async () => {
    const { fake, runner } = await fixture();
    const first = await runner.create(makeJob({ prompt: 'a heron' }), undefined);
    fake.failNext({ route: 'create', status: 502, processed: true });
    const second = await runner.create(makeJob({ prompt: 'a heron' }), undefined);
    expect(fake.predictions.map((p) => p.id)).toEqual([first.id, second.id]);
    expect(second.id).not.toBe(first.id);
  });

  it('a recovered job adopts only a prediction no other job holds, and its own one again', async () => {
    const { fake, runner } = await fixture();
    const a = makeJob({ prompt: 'a heron' });
    const b = makeJob({ prompt: 'a heron' });
    const madeForA = await runner.create(a, undefined);
    const madeForB = await runner.create(b, undefined);
    expect(await runner.findCreated(makeJob({ prompt: 'a heron' }))).toBeUndefined();
    expect((await runner.findCreated(b))?.id).toBe(madeForB.id);
    expect((await runner.findCreated(a))?.id).toBe(madeForA.id);
    expect(fake.predictions).toHaveLength(2);
  });

  it('while one job’s create is ambiguous, another job with the same input waits instead of creating; other inputs go on', async () => {
    const { fake, runner } = await fixture();
    fake.failNext({ route: 'create', status: 502, processed: true });
    fake.failNext({ route: 'list', status: 429, retryAfterSeconds: 1 });
    const ambiguous = runner.create(makeJob({ prompt: 'a heron' }), undefined);
    await waitUntil(() => fake.requests.some((r) => r.route === 'list'), { description: 'the first look-up' });
    const same = runner.create(makeJob({ prompt: 'a heron' }), undefined);
    const other = await runner.create(makeJob({ prompt: 'a crane' }), undefined);
    const [adopted, created] = await Promise.all([ambiguous, same]);

    const wire = fake.requests.filter((r) => r.route === 'create' || r.route === 'list').map((r) => `${r.route} ${r.status}`);
    expect(wire).toEqual(['create 502', 'list 429', 'create 201', 'list 200', 'create 201']);
    expect(fake.predictions.map((p) => p.id)).toEqual([adopted.id, other.id, created.id]);
  });
});
