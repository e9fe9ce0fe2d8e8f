import { PERMISSION_ALIASES } from '@hookyard/webhook-core';
import { grants, PERMISSIONS } from './permissions';

describe('grants', () => {
  it('passes a key holding the permission, or every permission', () => {
    expect(grants(['WEBHOOK.CREATE'], 'WEBHOOK.CREATE')).toBe(true);
    expect(grants(['*'], 'APIKEY.MANAGE')).toBe(true);
    expect(grants(['WEBHOOK.CREATE'], 'WEBHOOK.DELETE')).toBe(false);
  });

  it('treats WEBHOOK.VIEW and WEBHOOK.READ as one permission, and nothing else', () => {
    expect(grants(['WEBHOOK.VIEW'], 'WEBHOOK.READ')).toBe(true);
    expect(grants(['WEBHOOK.READ'], 'WEBHOOK.VIEW')).toBe(true);
    expect(grants(['WEBHOOK.VIEW'], 'WEBHOOK.UPDATE')).toBe(false);
    expect(grants(['WEBHOOK.VIEW'], 'EVENT.READ')).toBe(false);
  });

  it("names every dialect's permission alias, and what it stands for, among the permissions", () => {
    const named = Object.entries(PERMISSION_ALIASES).flat();
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !(PERMISSIONS as readonly string[]).includes(name))).toEqual([]);
  });
});
