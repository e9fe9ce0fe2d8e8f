import { type ChildProcess } from 'node:child_process';

/** One line of a built app's log: pino's JSON object. */
export type LogLine = Record<string, unknown> & { level: string; time: number; msg?: string };

/** A child's stdout and stderr, each kept apart as it comes. */
export interface ChildOutput {
  stdout(): string;
  stderr(): string;
}

export function collectApart(child: ChildProcess): ChildOutput {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { stdout: () => stdout, stderr: () => stderr };
}

/**
 * Every complete line of `text` parsed as JSON; throws naming the first line that is not a JSON
 * object with a string `level` and a numeric `time`.
 */
export function jsonLines(text: string): LogLine[] {
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
      const { level, time } = (parsed ?? {}) as Partial<LogLine>;
      if (typeof level !== 'string' || typeof time !== 'number')
        throw new Error(`a log line without a level label or time: ${line}`);
      return parsed as LogLine;
    });
}

/** Everything this process writes to stdout and stderr from now on, until `restore` (loggers that bypass Nest's). */
export interface CapturedOutput {
  text(): string;
  restore(): void;
}

export function captureOutput(): CapturedOutput {
  const written: string[] = [];
  const restores = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write.bind(stream);
    stream.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      written.push(String(chunk));
      return original(chunk, ...rest);
    };
    return () => (stream.write = original);
  });
  return {
    text: () => written.join(''),
    restore: () => restores.forEach((restore) => restore()),
  };
}
