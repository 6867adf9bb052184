/**
 * The soak's members: each sends its planned /video at its time (again when the bot never answered, as a member
 * would after "The application did not respond"), and some press Cancel on their job's progress message.
 */
import type { FakeDiscord, FakeGuild, RecordedMessage } from '../../test/fakes/discord/fake-discord.js';
import type { PlannedJob } from './plan.js';

/** A 1x1 PNG: a real image the bot sniffs and uploads. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface MembersOptions {
  discord: FakeDiscord;
  guilds: readonly FakeGuild[];
  /** Real time the run started: planned times are offsets from it. */
  startedAt: () => number;
  /** True while a bot is logged in and not being killed. */
  botUp: () => boolean;
  /** True once the run is over: members stop. */
  stopped: () => boolean;
  /**
   * Where the bot reaches Discord (the fault proxy's origin). Attachment URLs are given on it, as Discord's CDN is a
   * Discord host: a bot that fetches images only from the configured Discord origin fetches them through the proxy.
   */
  discordOrigin: string;
}

export class Members {
  private readonly interactions = new Map<number, string[]>();
  private readonly pressed = new Set<number>();
  private readonly answered = new Set<number>();
  /** Regenerate pairs pressed so far. */
  regeneratePairsPressed = 0;

  constructor(private readonly o: MembersOptions) {}

  channelOf(job: PlannedJob): string {
    return this.o.guilds[job.guild]!.channels[0]!.id;
  }

  userOf(job: PlannedJob): { id: string; username: string } {
    return { id: String(300_000_000_000_000_000n + BigInt(job.member)), username: `member${job.member}` };
  }

  /** Interaction ids of every /video sent for the job, oldest first. */
  interactionsOf(job: PlannedJob): readonly string[] {
    return this.interactions.get(job.index) ?? [];
  }

  sent(job: PlannedJob): boolean {
    return this.interactions.has(job.index);
  }

  /** The member stopped sending the job: it was answered, or they gave up. */
  doneSending(job: PlannedJob): boolean {
    return this.answered.has(job.index);
  }

  cancelPressed(job: PlannedJob): boolean {
    return this.pressed.has(job.index);
  }

  /** The member's part in one job: send it (until acknowledged, at most 6 times), then maybe press Cancel. */
  async run(job: PlannedJob): Promise<void> {
    await this.sleepUntil(this.o.startedAt() + job.submitAtMs);
    const ids: string[] = [];
    this.interactions.set(job.index, ids);
    let accepted: string | undefined;
    for (let attempt = 0; attempt < 6 && !accepted; attempt++) {
      await this.untilUp();
      if (this.o.stopped()) return;
      const id = this.send(job);
      if (!id) {
        await sleep(200);
        continue;
      }
      ids.push(id);
      // Discord gives the bot 3 s; the member gives up on "did not respond" a little later and sends it again.
      if (await this.acked(id, 4_000)) accepted = id;
    }
    this.answered.add(job.index);
    if (!accepted || job.cancelAfterMs === undefined || this.o.discord.interaction(accepted).ephemeral) return;
    await sleep(job.cancelAfterMs);
    for (let press = 0; press < 3; press++) {
      await this.untilUp();
      if (this.o.stopped()) return;
      const message = this.o.discord.interaction(accepted).original;
      const button = message && cancelButton(message.components);
      if (!message || !button) return;
      this.pressed.add(job.index);
      const click = this.o.discord.pressButton({
        message,
        customId: button,
        user: this.userOf(job),
        guildId: this.o.guilds[job.guild]!.id,
        channelId: this.channelOf(job),
      });
      if (await this.acked(click.id, 4_000)) return;
    }
  }

  /**
   * Two members press Regenerate on `source`'s delivered video in the same tick (again, each on their own, while
   * the bot does not answer). Nothing is pressed when `source` ended without a video; `onPress` is told first.
   */
  async runRegenerates(source: PlannedJob, pair: readonly PlannedJob[], sourceEnded: () => boolean, onPress: () => void): Promise<void> {
    await this.sleepUntil(this.o.startedAt() + source.submitAtMs);
    let delivered: { message: RecordedMessage; customId: string } | undefined;
    while (!this.o.stopped() && !(delivered = this.regenerateButton(source))) {
      if (sourceEnded()) return;
      await sleep(100);
    }
    if (!delivered) return;
    this.regeneratePairsPressed++;
    onPress();
    const pending = [...pair];
    for (let attempt = 0; attempt < 6 && pending.length > 0; attempt++) {
      await this.untilUp();
      if (this.o.stopped()) return;
      const presses = pending.map((job) => {
        const click = this.o.discord.pressButton({
          message: delivered.message,
          customId: delivered.customId,
          user: this.userOf(job),
          guildId: this.o.guilds[job.guild]!.id,
          channelId: this.channelOf(job),
        });
        if (!this.interactions.has(job.index)) this.interactions.set(job.index, []);
        this.interactions.get(job.index)!.push(click.id);
        return { job, id: click.id };
      });
      const acked = await Promise.all(presses.map((p) => this.acked(p.id, 4_000)));
      presses.forEach((p, i) => acked[i] && pending.splice(pending.indexOf(p.job), 1));
    }
  }

  /** The Regenerate button of the job's delivered video, in its reply or in the channel. */
  private regenerateButton(job: PlannedJob): { message: RecordedMessage; customId: string } | undefined {
    const marker = `${job.tag} `;
    const accepted = this.interactionsOf(job)
      .map((id) => this.o.discord.interaction(id))
      .find((i) => i.ackType !== undefined && !i.ephemeral);
    const messages = [
      ...(accepted?.original ? [accepted.original] : []),
      ...this.o.discord.channelMessages(this.channelOf(job)).filter((m) => m.content.includes(marker)),
    ];
    for (const message of messages) {
      const customId = buttonIds(message.components).find((c) => c.startsWith('regen:'));
      if (customId) return { message, customId };
    }
    return undefined;
  }

  private send(job: PlannedJob): string | undefined {
    const { discord } = this.o;
    const uploaded =
      job.image &&
      discord.addAttachment({
        bytes: job.image === 'png' ? png : Buffer.from('this is not an image at all'),
        filename: 'frame.png',
        contentType: 'image/png',
        channelId: this.channelOf(job),
      });
    const fakeOrigin = new URL(discord.apiUrl).origin;
    const image = uploaded && {
      ...uploaded,
      url: uploaded.url.replace(fakeOrigin, this.o.discordOrigin),
      proxy_url: uploaded.proxy_url.replace(fakeOrigin, this.o.discordOrigin),
    };
    try {
      return discord.sendSlashCommand({
        name: 'video',
        guildId: this.o.guilds[job.guild]!.id,
        channelId: this.channelOf(job),
        user: this.userOf(job),
        options: { prompt: job.prompt, ...(image ? { image } : {}) },
      }).id;
    } catch {
      // The gateway dropped between the check and the send (the bot was just killed).
      return undefined;
    }
  }

  private async acked(id: string, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.o.discord.interaction(id).ackType !== undefined) return true;
      await sleep(50);
    }
    return false;
  }

  async untilUp(): Promise<void> {
    while (!this.o.stopped() && !(this.o.botUp() && this.o.discord.gatewayConnected)) await sleep(50);
  }

  async sleepUntil(at: number): Promise<void> {
    while (!this.o.stopped() && Date.now() < at) await sleep(Math.min(100, at - Date.now()));
  }
}

function buttonIds(components: unknown[]): string[] {
  const rows = components as { components?: { custom_id?: string }[] }[];
  return rows.flatMap((row) => row.components ?? []).flatMap((c) => (c.custom_id ? [c.custom_id] : []));
}

function cancelButton(components: unknown[]): string | undefined {
  return buttonIds(components).find((id) => id.startsWith('cancel:'));
}
