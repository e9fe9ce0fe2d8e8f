import type { ReactNode } from 'react';

/**
 * A data table with a caption (visually hidden unless `showCaption`) and column headers;
 * rows are `<tr>` children.
 */
export function Table({
  caption,
  columns,
  showCaption = false,
  children,
}: {
  caption: string;
  columns: readonly string[];
  showCaption?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className={showCaption ? undefined : 'visually-hidden'}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
