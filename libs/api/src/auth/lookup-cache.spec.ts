import { LookupCache } from './lookup-cache';

describe('LookupCache', () => {
  const at = (ms: number) => new Date(ms);

  it('answers from the cache within the time to live, and loads again after it', async () => {
    const cache = new LookupCache<string>(1_000);
    const load = jest.fn().mockResolvedValueOnce('first').mockResolvedValueOnce('second');
    expect(await cache.get('k', at(0), load)).toBe('first');
    expect(await cache.get('k', at(999), load)).toBe('first');
    expect(await cache.get('k', at(1_000), load)).toBe('second');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('forgets matching entries at once', async () => {
    const cache = new LookupCache<{ id: string }>(1_000);
    await cache.get('a', at(0), () => Promise.resolve({ id: 'a' }));
    await cache.get('b', at(0), () => Promise.resolve({ id: 'b' }));
    cache.forget((value) => value.id === 'a');
    const reload = jest.fn().mockResolvedValue({ id: 'a2' });
    expect(await cache.get('a', at(1), reload)).toEqual({ id: 'a2' });
    expect(await cache.get('b', at(1), () => Promise.resolve({ id: 'never' }))).toEqual({
      id: 'b',
    });
  });

  it('does not cache a lookup that was in flight when an entry was forgotten', async () => {
    const cache = new LookupCache<string>(1_000);
    let finish: (value: string) => void = () => undefined;
    const slow = cache.get('k', at(0), () => new Promise<string>((resolve) => (finish = resolve)));
    cache.forget(() => true); // a revocation lands while the old row is being read
    finish('stale');
    expect(await slow).toBe('stale');
    expect(await cache.get('k', at(1), () => Promise.resolve('fresh'))).toBe('fresh');
  });

  it('stays bounded', async () => {
    const cache = new LookupCache<number>(1_000, 2);
    for (const n of [1, 2, 3]) await cache.get(`k${n}`, at(0), () => Promise.resolve(n));
    expect(await cache.get('k3', at(1), () => Promise.resolve(-1))).toBe(3);
    expect(await cache.get('k1', at(1), () => Promise.resolve(-1))).toBe(-1);
  });
});
