/**
 * Ctrl-C and termination while a command holds something that must be let go (the repository lock): the cleanups
 * registered here run synchronously when SIGINT, SIGTERM or SIGHUP arrives, then the process exits with 128 + the
 * signal number (130 for SIGINT), saying what happened on stderr. Nothing else is published by an interrupted
 * command: publications are ordered so that stopping anywhere leaves the old state visible.
 */
import { constants } from 'node:os';

type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function onSignal(signal: (typeof SIGNALS)[number]): void {
  for (const c of [...cleanups]) {
    try {
      c();
    } catch {
      // a cleanup that fails must not keep the others from running
    }
  }
  process.stderr.write(`error: interrupted (${signal}); nothing more was published${cleanups.size > 0 ? ', the repository lock was released' : ''}\n`);
  process.exit(128 + constants.signals[signal]);
}

/** Run `cleanup` (synchronously) if the process is interrupted before the returned function is called. */
export function onInterrupt(cleanup: Cleanup): () => void {
  if (!installed) {
    installed = true;
    for (const s of SIGNALS) process.on(s, () => onSignal(s));
  }
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}
