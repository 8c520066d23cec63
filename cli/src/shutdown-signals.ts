/**
 * Calls `handler` on SIGINT/SIGTERM (with the count of signals so far, so a second Ctrl-C can
 * force). Returns a function that removes the handlers again.
 */
export function onShutdownSignal(handler: (signal: NodeJS.Signals, count: number) => void): () => void {
  let count = 0;
  const listener = (signal: NodeJS.Signals) => handler(signal, ++count);
  process.on("SIGINT", listener);
  process.on("SIGTERM", listener);
  return () => {
    process.off("SIGINT", listener);
    process.off("SIGTERM", listener);
  };
}
