/**
 * What the soak's members do and what Replicate decides, drawn from the seed before anything runs: which member
 * sends which job when, with which image, who cancels, which predictions the model fails, and when the bot is
 * killed. The bot runs on the real clock, so a seed fixes the plan and the fault sequences, not every interleaving.
 */
import { SeededRandom } from '../../test/harness/seeded-random.js';

export interface SoakOptions {
  jobs: number;
  kills: number;
  seed: number;
  /** `sqlite` (a file in a temp dir) or a `redis://` URL (its database is emptied first). */
  store: string;
  guilds: number;
  members: number;
  /** Real ms between two submissions on average. */
  spacingMs: number;
  /** Give up waiting for the jobs to end after this long (real ms, from the first submission). */
  timeoutMs: number;
  /**
   * Once every job was sent and every kill done: give up when no job has ended for this long (real ms). Generation
   * takes seconds here and every backoff is capped well below it, so the jobs still open then are lost.
   */
  idleMs: number;
  /** Generation time of a prediction at the fake Replicate, in real ms. */
  predictionMs: [number, number];
  /** Chance a prediction is failed by the model (Replicate's decision). */
  modelFailRate: number;
  imageRate: number;
  /** Chance an attachment is not an image at all though it claims to be a PNG (the member's mistake). */
  badImageRate: number;
  cancelRate: number;
  /** Scales every fault rate (0 turns random faults off; kills and storms stay). */
  chaos: number;
  /** Replicate outages (every request answered 503 or reset) and Discord 5xx storms: how many and how long. */
  storms: number;
  stormMs: [number, number];
}

export const defaultOptions: SoakOptions = {
  jobs: 200,
  kills: 10,
  seed: 1,
  store: 'sqlite',
  guilds: 20,
  members: 60,
  spacingMs: 300,
  timeoutMs: 9 * 60_000,
  idleMs: 120_000,
  predictionMs: [800, 3500],
  modelFailRate: 0.05,
  imageRate: 0.2,
  badImageRate: 0.03,
  cancelRate: 0.08,
  chaos: 1,
  storms: 2,
  stormMs: [4_000, 15_000],
};

export interface PlannedJob {
  index: number;
  /** In the prompt, so every message and prediction of the job can be told apart: `soak-017`. */
  tag: string;
  prompt: string;
  member: number;
  guild: number;
  image?: 'png' | 'not-an-image';
  /** Real ms after the acknowledgement at which the member presses Cancel. */
  cancelAfterMs?: number;
  /** Real ms after the start of the run at which the member sends /video. */
  submitAtMs: number;
}

export interface PredictionScriptPlan {
  durationMs: number;
  outcome: 'succeeded' | 'failed';
  error?: string;
}

export interface Storm {
  /** `store`: Redis refusing writes (maxmemory 1, noeviction), only when the soak runs on Redis. */
  target: 'replicate' | 'discord' | 'store';
  startMs: number;
  endMs: number;
}

export interface SoakPlan {
  jobs: PlannedJob[];
  scripts: PredictionScriptPlan[];
  /** Real ms after the start at which the bot is killed with SIGKILL. */
  killsAtMs: number[];
  storms: Storm[];
  /** Seeds of the store faults of each bot process, in start order. */
  storeSeeds: number[];
}

const subjects = ['a red fox', 'a paper boat', 'a lighthouse', 'a city tram', 'a snow owl', 'a koi pond', 'a desert storm', 'a night market'];
const actions = ['at dawn', 'in the rain', 'from above', 'in slow motion', 'under neon light', 'in a storm'];

export const modelError = 'The input or output was flagged as sensitive. Please try again with different inputs. (E005)';

export function makePlan(o: SoakOptions): SoakPlan {
  const root = new SeededRandom(o.seed);
  const members = root.fork('members');
  const width = String(o.jobs).length < 3 ? 3 : String(o.jobs).length;
  const submitSpan = o.jobs * o.spacingMs;
  const jobs: PlannedJob[] = [];
  for (let index = 0; index < o.jobs; index++) {
    const member = members.int(0, o.members - 1);
    const tag = `soak-${String(index + 1).padStart(width, '0')}`;
    const withImage = members.chance(o.imageRate);
    const bad = withImage && members.chance(o.badImageRate / Math.max(o.imageRate, 1e-9));
    const cancel = members.chance(o.cancelRate);
    jobs.push({
      index,
      tag,
      prompt: `${tag} ${members.pick(subjects)} ${members.pick(actions)}`,
      member,
      guild: member % o.guilds,
      ...(withImage ? { image: bad ? 'not-an-image' : 'png' } : {}),
      ...(cancel ? { cancelAfterMs: members.int(200, 4_000) } : {}),
      submitAtMs: Math.round(index * o.spacingMs + members.int(0, o.spacingMs)),
    });
  }
  const model = root.fork('model');
  const scripts = Array.from({ length: o.jobs * 2 + 20 }, (): PredictionScriptPlan => {
    const durationMs = model.int(o.predictionMs[0], o.predictionMs[1]);
    return model.chance(o.modelFailRate) ? { durationMs, outcome: 'failed', error: modelError } : { durationMs, outcome: 'succeeded' };
  });
  const killer = root.fork('kills');
  // Kills fall while jobs are being sent and a little after, when the most is in flight.
  const killWindow = submitSpan + 15_000;
  const killsAtMs = Array.from({ length: o.kills }, () => killer.int(2_000, killWindow)).sort((a, b) => a - b);
  const weather = root.fork('storms');
  const storms: Storm[] = [];
  for (let i = 0; i < o.storms; i++) {
    for (const target of ['replicate', 'discord', 'store'] as const) {
      const startMs = weather.int(1_000, Math.max(1_000, submitSpan));
      storms.push({ target, startMs, endMs: startMs + weather.int(o.stormMs[0], o.stormMs[1]) });
    }
  }
  const store = root.fork('store');
  const storeSeeds = Array.from({ length: o.kills * 3 + 4 }, () => store.int(1, 2 ** 31 - 1));
  return { jobs, scripts, killsAtMs, storms, storeSeeds };
}
