import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the seconds until the next token', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 });
    const answers = [0, 1, 2].map(() => limiter.take('a', 1_000));
    expect(answers.map((a) => a.allowed)).toEqual([true, true, true]);
    expect(answers.map((a) => a.remaining)).toEqual([2, 1, 0]);
    const refused = limiter.take('a', 1_000);
    expect(refused).toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetSeconds: 2, // 3 tokens at 2 a second
      retryAfterSeconds: 1,
    });
  });

  it('refills at the rate and never above the burst', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 2 });
    limiter.take('a', 0);
    limiter.take('a', 0);
    expect(limiter.take('a', 500).allowed).toBe(false);
    expect(limiter.take('a', 1_000).allowed).toBe(true);
    expect(limiter.peek('a', 60_000).remaining).toBe(2);
  });

  it('says Retry-After in whole seconds, at least 1, for slow rates', () => {
    const limiter = new RateLimiter({ perSecond: 0.1, burst: 1 });
    limiter.take('a', 0);
    expect(limiter.take('a', 0).retryAfterSeconds).toBe(10);
    expect(limiter.take('a', 9_500).retryAfterSeconds).toBe(1);
    const fast = new RateLimiter({ perSecond: 1000, burst: 1 });
    fast.take('b', 0);
    expect(fast.take('b', 0).retryAfterSeconds).toBe(1);
  });

  it('keeps keys apart', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 });
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0).allowed).toBe(false);
    expect(limiter.take('b', 0).allowed).toBe(true);
  });

  it('peeks without taking a token', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 });
    expect(limiter.peek('a', 0).allowed).toBe(true);
    expect(limiter.peek('a', 0).allowed).toBe(true);
    expect(limiter.size).toBe(0);
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.peek('a', 0).allowed).toBe(false);
  });

  it('forgets buckets that have refilled and bounds the keys it remembers', () => {
    const limiter = new RateLimiter({ perSecond: 10, burst: 10 }, 100);
    for (let i = 0; i < 1_000; i += 1) limiter.take(`k${i}`, 0);
    expect(limiter.size).toBe(100);
    // The most recently seen keys are the ones kept.
    expect(limiter.peek('k999', 0).remaining).toBe(9);
    expect(limiter.peek('k0', 0).remaining).toBe(10);
    limiter.take('late', 1_000); // every other bucket is full again after a second
    expect(limiter.size).toBe(1);
  });

  it('does not go backwards with a clock that does', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 });
    limiter.take('a', 5_000);
    expect(limiter.take('a', 4_000).allowed).toBe(false);
  });

  it('X7 takes back a token it gave, never above the burst', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 2 });
    limiter.take('a', 0);
    limiter.take('a', 0);
    expect(limiter.peek('a', 0).allowed).toBe(false);
    limiter.giveBack('a', 0);
    expect(limiter.peek('a', 0).remaining).toBe(1);
    limiter.giveBack('a', 0);
    limiter.giveBack('a', 0);
    expect(limiter.peek('a', 0).remaining).toBe(2);
    expect(limiter.size).toBe(0);
  });

  it('refuses a rule that never refills', () => {
    expect(() => new RateLimiter({ perSecond: 0, burst: 10 })).toThrow();
    expect(() => new RateLimiter({ perSecond: 1, burst: 0 })).toThrow();
  });
});
