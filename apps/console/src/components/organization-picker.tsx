import { useEffect } from 'react';
import { describeError, useSession } from '../api/client';
import { type Organization, useOrganization, useOrganizationPages } from '../api/organizations';
import { Button } from './button';
import { SelectField } from './text-field';

/** "Acme (acme-42)": an organization's name, and its uid when it has one. */
export function organizationLabel(organization: Organization): string {
  return organization.uid ? `${organization.name} (${organization.uid})` : organization.name;
}

/**
 * The organization an operator key acts for: every tenant-scoped call names it. Lists the
 * organizations a page at a time; a chosen one that has gone (deleted elsewhere) is let go.
 */
export function OrganizationPicker() {
  const { organizationId, chooseOrganization } = useSession();
  const pages = useOrganizationPages();
  const chosen = useOrganization(organizationId);
  const listed = pages.data?.pages.flatMap((page) => page.data) ?? [];
  const current = chosen.data;
  const options =
    current && !listed.some((organization) => organization.id === current.id)
      ? [...listed, current]
      : listed;
  const gone = chosen.isError && describeError(chosen.error).status === 404;

  useEffect(() => {
    if (gone) chooseOrganization(null);
  }, [gone, chooseOrganization]);

  return (
    <div className="organization-picker">
      <SelectField
        label="Organization"
        className="compact"
        value={organizationId ?? ''}
        onChange={(event) => chooseOrganization(event.target.value || null)}
        error={pages.isError ? describeError(pages.error).message : undefined}
      >
        <option value="">Choose an organization…</option>
        {options.map((organization) => (
          <option key={organization.id} value={organization.id}>
            {organizationLabel(organization)}
          </option>
        ))}
      </SelectField>
      {pages.hasNextPage ? (
        <Button
          variant="ghost"
          busy={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          More organizations
        </Button>
      ) : null}
    </div>
  );
}
