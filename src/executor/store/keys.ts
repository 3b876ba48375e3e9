/**
 * The executor's Redis keyspace. Every key shares one hash tag derived from REDIS_PREFIX
 * (`picsi:` → `{picsi}:…`), so every script — which writes a job, its lease, its queue entry, its
 * indexes and its callback task in one step — runs on one slot of a Redis Cluster. The trade-off
 * (the whole executor on one slot) is described in the README.
 *
 *   job:<id>              string  the job (JSON); a retention TTL once terminal
 *   q:any / q:ch:<ch>     zset    queued job ids by place (./fair-queue.ts): score = round, ties by id;
 *                                 jobs for any channel / that asked for <ch>
 *   q:seq                 string  a counter requeue takes a place from when a job has none (a restored STARTED job)
 *   qseq                  hash    job id → its round (kept while it runs: a requeue goes back to its place)
 *   qchannels             set     channels that have a q:ch queue (queue positions count them)
 *   qrounds               hash    the current rounds: '*' (any channel), 'ch:<ch>' (highest round claimed)
 *   reserve               hash    credits queued jobs reserved ('c:<ch>', 'o:<owner>'; ./credit-reservations.ts)
 *   reserved              hash    job id → '<channel>|<cost>|<owner>': the reservations counted
 *   token-credits:<day>   hash    owner → credits its jobs were charged on a UTC day
 *   lease:<ch>            string  "<token>|<jobId>", PX lease TTL
 *   holder:<ch>           string  the STARTED job on <ch>; outlives its lease so the next claim settles it
 *   running               zset    STARTED job ids by lease deadline (ms, Redis clock): the reaper reads expired ones
 *   credits:<ch>:<day>    string  credits charged on a UTC day
 *   commands:<ch>:<day>   string  commands an account started on a day of its time zone (its daily cap)
 *   account:<ch>          hash    an account (identity fields each on its own, manager, health JSON, pacing clock)
 *   accounts              set     channels with an account
 *   instance:<id>         string  heartbeat, PX
 *   epoch                 string  the store's epoch (JSON): a new one means the store lost its data
 *   idx:<filter>          zset    listing index, all scores 0, members "<created ISO>|<id>" (lexical = time order)
 *   callback:task:<id>    hash    the job's callback delivery task (src/callbacks/redis-store.ts)
 *   callback:due          zset    job id → when its next callback attempt is due
 */
import { callbackKeys } from '../../callbacks/keys.js';
import { hashTagOf } from '../../redis/hash-tag.js';

export function executorKeys(prefix: string) {
  const k = hashTagOf(prefix);
  const callback = callbackKeys(prefix);
  return {
    job: (id: string) => `${k}job:${id}`,
    jobPrefix: `${k}job:`,
    queuePrefix: `${k}q:`,
    anyQueue: `${k}q:any`,
    channelQueue: (channel: string) => `${k}q:ch:${channel}`,
    queueSeq: `${k}qseq`,
    queueChannels: `${k}qchannels`,
    queueRounds: `${k}qrounds`,
    reserve: `${k}reserve`,
    reserved: `${k}reserved`,
    tokenCredits: (day: string) => `${k}token-credits:${day}`,
    creditsPrefix: `${k}credits:`,
    lease: (channel: string) => `${k}lease:${channel}`,
    leasePrefix: `${k}lease:`,
    holder: (channel: string) => `${k}holder:${channel}`,
    holderPrefix: `${k}holder:`,
    running: `${k}running`,
    credits: (channel: string, day: string) => `${k}credits:${channel}:${day}`,
    commands: (channel: string, day: string) => `${k}commands:${channel}:${day}`,
    account: (channel: string) => `${k}account:${channel}`,
    accountPrefix: `${k}account:`,
    accounts: `${k}accounts`,
    instance: (id: string) => `${k}instance:${id}`,
    epoch: `${k}epoch`,
    indexPrefix: `${k}idx:`,
    callbackTaskPrefix: callback.taskPrefix,
    callbackDue: callback.due,
    /** Pub/sub channel names (not keys: no slot), under the same tag for readability. */
    event: (name: string) => `${k}events:${name}`,
  };
}

export type ExecutorKeys = ReturnType<typeof executorKeys>;

/** The listing indexes a job is in: every combination of owner, status and channel it has. */
export function indexNames(job: { owner: string; status: string; channel: string | null; requestedChannel: string | null }): string[] {
  const channel = job.channel ?? job.requestedChannel;
  const owner = `o:${job.owner}`;
  const status = `s:${job.status}`;
  const names = ['all', owner, status, `${owner}:${status}`];
  if (channel !== null) names.push(`c:${channel}`, `c:${channel}:${status}`, `${owner}:c:${channel}`, `${owner}:c:${channel}:${status}`);
  return names;
}

/** The index a query reads: the exact combination of its filters. */
export function indexNameOf(query: { owner?: string; status?: string; channel?: string }): string {
  const parts = [
    query.owner !== undefined ? `o:${query.owner}` : null,
    query.channel !== undefined ? `c:${query.channel}` : null,
    query.status !== undefined ? `s:${query.status}` : null,
  ].filter((p): p is string => p !== null);
  return parts.length ? parts.join(':') : 'all';
}
