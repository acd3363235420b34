import { useEffect, useState } from 'preact/hooks';

/**
 * Runs `load(signal)` whenever `deps` change and answers {data, error, loading, reload}. A newer
 * load aborts the older one, so a quick change of screen, tenant or filter never shows stale
 * figures or leaves a spinner behind.
 */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, error: null, loading: true }));
    Promise.resolve(load(controller.signal)).then(
      (data) => { if (!controller.signal.aborted) setState({ data, error: null, loading: false }); },
      (error) => { if (!controller.signal.aborted) setState({ data: null, error, loading: false }); });
    return () => controller.abort();
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((value) => value + 1) };
}
