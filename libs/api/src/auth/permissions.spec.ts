import { grants } from './permissions';

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
});
