import { beforeLookups, LookupCache } from './lookup-cache';

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

  it('X7 evicts the least recently used entry one at a time: a flood of unknown keys keeps a key in use', async () => {
    const cache = new LookupCache<string | null>(60_000, 100);
    await cache.get('valid', at(0), () => Promise.resolve('ctx'));
    for (let i = 0; i < 10_000; i += 1) {
      await cache.get(`guess-${i}`, at(1), () => Promise.resolve(null));
      if (i % 50 === 0) await cache.get('valid', at(1), () => Promise.resolve('reloaded'));
    }
    expect(await cache.get('valid', at(2), () => Promise.resolve('reloaded'))).toBe('ctx');
    // The newest guesses are kept, the oldest gone: bounded, never cleared wholesale.
    expect(await cache.get('guess-9999', at(2), () => Promise.resolve('reloaded'))).toBeNull();
    expect(await cache.get('guess-0', at(2), () => Promise.resolve('reloaded'))).toBe('reloaded');
  });

  it('X7 runs the gate of beforeLookups before each lookup that misses, and a throwing gate stops it', async () => {
    const cache = new LookupCache<string>(1_000);
    const gate = jest.fn();
    const load = jest.fn().mockResolvedValue('v');
    await beforeLookups(gate, () => cache.get('k', at(0), load));
    await beforeLookups(gate, () => cache.get('k', at(1), load)); // a hit: no gate, no load
    expect(gate).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledTimes(1);
    const refusing = () => {
      throw new Error('429');
    };
    await expect(beforeLookups(refusing, () => cache.get('other', at(1), load))).rejects.toThrow(
      '429',
    );
    expect(load).toHaveBeenCalledTimes(1);
    // Outside beforeLookups nothing gates.
    expect(await cache.get('other', at(1), load)).toBe('v');
  });
});
