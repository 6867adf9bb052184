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
  /** `sqlite` (a file in a temp dir), `redis` (a redis-server of the soak's own) or a `redis://` URL (its database is emptied first). */
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
  /**
   * Share of predictions whose output cannot be downloaded for a while: from the first download request on, every
   * download of it fails (503 or reset) for `outputOutageMs`, then works. Tied to each prediction rather than to
   * the clock, so it meets deliveries however slowly a loaded machine runs them.
   */
  outputOutageRate: number;
  outputOutageMs: [number, number];
  /**
   * Times the lease holder is frozen (SIGSTOP) past its lease while a successor starts on the same store and takes
   * over; then it is resumed (SIGCONT) and given `resumeGraceMs` to stop by itself before it is killed.
   */
  freezes: number;
  resumeGraceMs: number;
  /** The bot's store lease TTL in the soak (real ms; production: 30 s), so a freeze outlasts it in seconds. */
  leaseTtlMs: number;
  /** Delivered videos on which two other members press Regenerate at the same moment (identical inputs). */
  regenerates: number;
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
  outputOutageRate: 0.2,
  outputOutageMs: [4_000, 15_000],
  freezes: 2,
  resumeGraceMs: 15_000,
  leaseTtlMs: 3_000,
  regenerates: 6,
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
  /** A Regenerate job: pressed on the delivered video of job `regenerateOf` (same prompt), by `member`. */
  regenerateOf?: number;
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
  /** Real ms after the start at which the lease holder is frozen with SIGSTOP (see `SoakOptions.freezes`). */
  freezesAtMs: number[];
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
  const storeSeeds = Array.from({ length: (o.kills + o.freezes) * 3 + 4 }, () => store.int(1, 2 ** 31 - 1));
  // The newer fault kinds draw from streams of their own, so a seed's jobs, kills and storms stay as they were.
  const freezer = root.fork('freezes');
  const freezesAtMs = Array.from({ length: o.freezes }, () => freezer.int(2_000, killWindow)).sort((a, b) => a - b);
  jobs.push(...regenerateJobs(o, jobs, root.fork('regenerates')));
  return { jobs, scripts, killsAtMs, freezesAtMs, storms, storeSeeds };
}

/**
 * For `o.regenerates` plain jobs (no cancel, a real image if any), two Regenerate jobs pressed at the same moment
 * by two other members of the same guild (member numbers past `o.members` when the guild has too few).
 */
function regenerateJobs(o: SoakOptions, jobs: readonly PlannedJob[], random: SeededRandom): PlannedJob[] {
  const candidates = jobs.filter((j) => j.cancelAfterMs === undefined && j.image !== 'not-an-image');
  const sources: PlannedJob[] = [];
  while (sources.length < Math.min(o.regenerates, candidates.length)) {
    const pick = random.pick(candidates);
    if (!sources.includes(pick)) sources.push(pick);
  }
  return sources
    .sort((a, b) => a.index - b.index)
    .flatMap((source, i) => {
      const others = Array.from({ length: o.members }, (_, m) => m).filter((m) => m % o.guilds === source.guild && m !== source.member);
      const members = [others[0] ?? o.members + source.guild, others[1] ?? o.members + o.guilds + source.guild];
      return members.map((member, k): PlannedJob => ({
        index: jobs.length + i * 2 + k,
        tag: `${source.tag}-r${k + 1}`,
        prompt: source.prompt,
        member,
        guild: source.guild,
        submitAtMs: source.submitAtMs,
        regenerateOf: source.index,
      }));
    });
}
