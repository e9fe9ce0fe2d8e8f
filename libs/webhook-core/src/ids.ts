/**
 * Resource ids: 24 lower-case hex characters, laid out like a MongoDB ObjectId (4 bytes of unix seconds,
 * 5 bytes fixed per generator, 3 bytes of a counter), so ids made by one process sort by creation,
 * except across the counter's wrap, once every 16,777,216 ids (as with ObjectIds). Nothing relies on
 * more: pages are keyset on id, and a row written during a listing may land on either side of it.
 */

const OBJECT_ID = /^[0-9a-f]{24}$/;

export function isObjectId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID.test(value);
}

/** Makes ids; the clock and the random source are passed in. */
export class ObjectIdGenerator {
  private counter: number;
  private readonly machine: Buffer;

  constructor(randomBytes: (size: number) => Buffer) {
    const seed = randomBytes(8);
    this.machine = seed.subarray(0, 5);
    this.counter = seed.readUIntBE(5, 3);
  }

  next(now: Date): string {
    const id = Buffer.alloc(12);
    id.writeUInt32BE(Math.floor(now.getTime() / 1000) >>> 0, 0);
    this.machine.copy(id, 4);
    this.counter = (this.counter + 1) % 0x1000000;
    id.writeUIntBE(this.counter, 9, 3);
    return id.toString('hex');
  }
}
