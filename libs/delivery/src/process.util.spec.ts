import { onShutdownSignal } from './process.util';

/**
 * Runs `onShutdownSignal(stop)` with the signal handlers caught instead of registered and
 * `process.exit` recorded instead of run; returns the handlers and what was exited with and written.
 */
function shutdownWith(stop: () => Promise<void>) {
  const handlers = new Map<string, () => void>();
  const on = jest.spyOn(process, 'on').mockImplementation(((event: string, handler: () => void) => {
    handlers.set(event, handler);
    return process;
  }) as typeof process.on);
  const exits: (number | string | null | undefined)[] = [];
  const exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
    exits.push(code);
    return undefined as never;
  });
  const written: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  onShutdownSignal(stop);
  on.mockRestore();
  return {
    handlers,
    exits,
    written,
    restore: () => {
      exit.mockRestore();
      write.mockRestore();
    },
  };
}

/** Waits (polling, with a deadline) until `exits` has an entry. */
async function untilExited(exits: readonly unknown[]): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (exits.length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setImmediate(resolve));
}

describe('onShutdownSignal', () => {
  it('stops once for SIGTERM and SIGINT together, then exits 0', async () => {
    const stop = jest.fn(() => Promise.resolve());
    const run = shutdownWith(stop);
    try {
      expect([...run.handlers.keys()]).toEqual(['SIGTERM', 'SIGINT']);
      run.handlers.get('SIGTERM')?.();
      run.handlers.get('SIGINT')?.();
      await untilExited(run.exits);
      expect(stop).toHaveBeenCalledTimes(1);
      expect(run.exits).toEqual([0]);
      expect(run.written).toEqual([]);
    } finally {
      run.restore();
    }
  });

  it('exits 1 with one line saying why when the stop fails, instead of running on', async () => {
    const run = shutdownWith(() =>
      Promise.reject(new Error('sending the last spans took longer than 3000 ms')),
    );
    try {
      run.handlers.get('SIGTERM')?.();
      await untilExited(run.exits);
      expect(run.exits).toEqual([1]);
      expect(run.written).toEqual([
        'hookyard: shutdown failed: sending the last spans took longer than 3000 ms\n',
      ]);
    } finally {
      run.restore();
    }
  });
});
