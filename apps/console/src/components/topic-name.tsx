import { Fragment } from 'react';

/** A topic in monospace that may wrap after its dots (long topics in narrow columns). */
export function TopicName({ topic }: { topic: string }) {
  const parts = topic.split('.');
  return (
    <code>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 ? (
            <>
              .<wbr />
            </>
          ) : null}
          {part}
        </Fragment>
      ))}
    </code>
  );
}
