import type { ReactNode } from 'react';
import { describeError } from '../api/client';

/**
 * An error announced as soon as it appears: the API's message, or any text given, and the message
 * of each field at fault (the API's, or `fields` a form found before asking it).
 */
export function ErrorAlert({
  error,
  title,
  fields: localFields,
  children,
}: {
  error?: unknown;
  title?: string;
  fields?: Record<string, string>;
  children?: ReactNode;
}) {
  const hasError = error !== undefined && error !== null;
  const hasFields = localFields !== undefined && Object.keys(localFields).length > 0;
  if (!hasError && !hasFields && children === undefined) return null;
  const described = hasError ? describeError(error) : null;
  const fields = described?.fieldErrors ?? localFields ?? {};
  const paths = Object.keys(fields);
  return (
    <div role="alert" className="alert alert-error">
      {title ? <p className="alert-title">{title}</p> : null}
      {described ? <p>{described.message}</p> : null}
      {paths.length > 0 ? (
        <ul>
          {paths.map((path) => (
            <li key={path}>
              <code>{path}</code>: {fields[path]}
            </li>
          ))}
        </ul>
      ) : null}
      {children}
      {described?.requestId ? (
        <p className="alert-reference">Request ID {described.requestId}</p>
      ) : null}
    </div>
  );
}
