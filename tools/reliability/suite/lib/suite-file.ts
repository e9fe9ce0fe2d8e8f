import { type ChildApp, killApp } from './child-app';
import { Stack } from './stack';

/** What one suite file's rows share. */
export interface SuiteFile {
  /** The file's stack (started before its first row). */
  readonly stack: Stack;
  /** Starts a worker with the suite's settings plus `env`; it is killed after the row. */
  readonly startWorker: (env?: Readonly<Record<string, string>>) => Promise<ChildApp>;
}

/** What a file adds to the shared hooks. */
export interface SuiteFileOptions {
  /** Added to every app's settings (see `Stack.start`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Runs after each row, once its workers are killed (deleting what it left due, ...). */
  readonly afterRow?: () => Promise<void>;
}

/**
 * Registers the hooks every suite file shares: one `Stack` for the file, the receiver's ledger cleared
 * before each row, the row's workers killed (SIGKILL by PID) after it, the stack stopped at the end.
 */
export function suiteFile(options: SuiteFileOptions = {}): SuiteFile {
  let stack: Stack | undefined;
  const rowWorkers = new Set<ChildApp>();

  beforeAll(async () => {
    stack = await Stack.start(undefined, options.env);
  }, 120_000);

  beforeEach(async () => {
    await stack?.receiver.reset();
  });

  afterEach(async () => {
    for (const worker of rowWorkers) await killApp(worker);
    rowWorkers.clear();
    await options.afterRow?.();
  });

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  return {
    get stack(): Stack {
      if (stack === undefined)
        throw new Error('the suite file has no stack yet (beforeAll failed?)');
      return stack;
    },
    startWorker: async (env = {}) => {
      if (stack === undefined) throw new Error('the suite file has no stack yet');
      const worker = await stack.startWorker(env);
      rowWorkers.add(worker);
      return worker;
    },
  };
}
