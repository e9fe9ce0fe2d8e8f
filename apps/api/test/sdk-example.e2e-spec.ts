// eslint-disable-next-line @nx/enforce-module-boundaries -- examples/ is no project of the workspace: the test runs the file a user would copy
import { quickstart } from '../../../examples/sdk-quickstart';
import { DELIVERY_ENV, eventually, startTestApp, type TestApp } from './harness';

describe('examples/sdk-quickstart.ts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(DELIVERY_ENV, { worker: true });
  });
  afterAll(async () => t?.close());

  it('creates an endpoint, publishes, and its receiver verifies the delivery', async () => {
    const { apiKey } = await t.createOrganization();
    const result = await quickstart({ apiKey, baseUrl: t.baseUrl });
    expect(result.received).toMatchObject({
      id: result.eventId,
      payload: expect.objectContaining({ data: { id: 'p_1', title: 'Hello' } }),
    });
    await eventually(async () => {
      const again = await t.request('GET', `/v1/events/${result.eventId}/deliveries`, {
        key: apiKey,
      });
      expect(again.body.data[0]).toMatchObject({ status: 'succeeded' });
    });
  });
});
