import { DueSignal } from './due-signal';

describe('DueSignal', () => {
  let clock = 0;
  let sends: Array<{ resolve: () => void; reject: (error: Error) => void }>;
  let errors: unknown[];
  let signal: DueSignal;

  beforeEach(() => {
    jest.useFakeTimers();
    clock = 1_000;
    sends = [];
    errors = [];
    signal = new DueSignal(
      () => new Promise<void>((resolve, reject) => sends.push({ resolve, reject })),
      (error) => errors.push(error),
      10,
      () => clock,
    );
  });
  afterEach(() => {
    signal.close();
    jest.useRealTimers();
  });

  /** Lets the promise callbacks of a finished send run. */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  function advance(ms: number): void {
    clock += ms;
    jest.advanceTimersByTime(ms);
  }

  it('sends at once when nothing was sent within the window', () => {
    signal.raise();
    expect(sends).toHaveLength(1);
  });

  it('folds raises within the window into one send at its end', async () => {
    signal.raise();
    sends[0]?.resolve();
    await settle();
    advance(3);
    signal.raise();
    signal.raise();
    signal.raise();
    expect(sends).toHaveLength(1);
    advance(6);
    expect(sends).toHaveLength(1);
    advance(1);
    expect(sends).toHaveLength(2);
  });

  it('sends again after a send that was in flight when raised, not before it ended', async () => {
    signal.raise();
    advance(50);
    signal.raise();
    expect(sends).toHaveLength(1);
    sends[0]?.resolve();
    await settle();
    expect(sends).toHaveLength(2);
  });

  it('sends nothing more when no raise came during a send', async () => {
    signal.raise();
    sends[0]?.resolve();
    await settle();
    advance(100);
    expect(sends).toHaveLength(1);
  });

  it('reports a failed send and keeps signalling', async () => {
    signal.raise();
    sends[0]?.reject(new Error('connection refused'));
    await settle();
    expect(errors).toEqual([new Error('connection refused')]);
    advance(10);
    signal.raise();
    expect(sends).toHaveLength(2);
  });

  it('reports a sender that throws instead of rejecting', async () => {
    const throwing = new DueSignal(
      () => {
        throw new Error('no pool');
      },
      (error) => errors.push(error),
      10,
      () => clock,
    );
    throwing.raise();
    await settle();
    expect(errors).toEqual([new Error('no pool')]);
  });

  it('drops a waiting send when closed', async () => {
    signal.raise();
    sends[0]?.resolve();
    await settle();
    signal.raise();
    signal.close();
    advance(100);
    expect(sends).toHaveLength(1);
  });
});
