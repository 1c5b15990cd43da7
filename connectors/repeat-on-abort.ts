/**
 * Runs `stop` when `signal` aborts and again every `everyMs` until the returned detach is
 * called. An engine ignores a cancel that arrives while nothing runs on its session
 * (between two statements, or before the next has started), so one sent once can be
 * lost; repeating it until the fragment lets go closes that window.
 */
export function repeatOnAbort(signal: AbortSignal, stop: () => void, everyMs: number): () => void {
  let again: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    stop();
    again = setInterval(stop, everyMs);
    again.unref();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return () => {
    signal.removeEventListener('abort', onAbort);
    clearInterval(again);
  };
}
