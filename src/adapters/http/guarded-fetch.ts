/**
 * Every network read has an idle timeout and an overall deadline (issue 11 item 3): registry manifests and blobs,
 * token servers, TUF metadata and target files. A server that sends its headers and then nothing, or trickles a
 * byte a minute, cannot keep a verifier waiting: no byte for `idleTimeoutMs` (waiting for the headers or for the
 * next chunk of the body) or more than `deadlineMs` for the whole exchange aborts it with E_NETWORK_TIMEOUT.
 *
 * `guardedFetch` is Node's `fetch` with one AbortSignal that both timers (and the caller's own signal) drive; the
 * body of the response it returns refreshes the idle timer on each chunk and clears both timers when it ends or
 * is cancelled.
 */
import { CnabTrustError } from '../../core/errors.js';

export interface NetworkLimits {
  /** Longest wait for the response headers or for the next chunk of the body, ms (default 30 s). */
  idleTimeoutMs?: number;
  /** Longest time for one request and its whole body, ms (default 10 min). */
  deadlineMs?: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_DEADLINE_MS = 600_000;

/** What a guarded read is about, for the error: `GET registry/org/app@sha256:...`. */
export interface GuardedRequest extends RequestInit {
  subject: string;
}

/** `fetch` under the limits; the timers keep running over the returned response's body. */
export async function guardedFetch(url: string | URL, init: GuardedRequest, limits: NetworkLimits = {}): Promise<Response> {
  const idleMs = limits.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const deadlineMs = limits.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const controller = new AbortController();
  let why: CnabTrustError | undefined;
  const expire = (what: string): void => {
    why = new CnabTrustError('E_NETWORK_TIMEOUT', `${init.subject}: ${what}`, {
      subject: init.subject,
      hint: 'the server stalled; retry later, or raise --idle-timeout / --deadline',
      details: { idleTimeoutMs: idleMs, deadlineMs },
    });
    controller.abort(why);
  };
  const idle = setTimeout(() => expire(`no data for ${idleMs} ms`), idleMs);
  const deadline = setTimeout(() => expire(`not done after ${deadlineMs} ms`), deadlineMs);
  idle.unref();
  deadline.unref();
  const done = (): void => {
    clearTimeout(idle);
    clearTimeout(deadline);
  };
  const { subject: _subject, signal, ...rest } = init;
  let res: Response;
  try {
    res = await fetch(url, { ...rest, signal: signal ? AbortSignal.any([signal, controller.signal]) : controller.signal });
  } catch (e) {
    done();
    throw why ?? e;
  }
  if (res.body === null) {
    done();
    return res;
  }
  idle.refresh();
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (e) {
        done();
        throw why ?? e;
      }
      if (chunk.done) {
        done();
        ctl.close();
        return;
      }
      idle.refresh();
      ctl.enqueue(chunk.value);
    },
    async cancel(reason) {
      done();
      await reader.cancel(reason).catch(() => undefined);
    },
  });
  // the response as fetched (status and headers), its body replaced by the guarded stream
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
