import { describe, expect, it } from '@jest/globals';
import { Slots } from './slots';

describe('Slots', () => {
  it('lets `size` holders in at once and the waiters in arrival order, one per release', async () => {
    const slots = new Slots(1);
    const order: string[] = [];
    await slots.acquire();
    const waiters = ['a', 'b'].map((name) => slots.acquire().then(() => order.push(name)));
    expect(slots.waiting).toBe(2);
    slots.release();
    await waiters[0];
    expect(order).toEqual(['a']);
    slots.release();
    await waiters[1];
    expect([order, slots.waiting]).toEqual([['a', 'b'], 0]);
  });

  it('take() holds a slot beyond the size; its release comes before any waiter is let in', async () => {
    const slots = new Slots(1);
    await slots.acquire();
    slots.take();
    let admitted = false;
    const waiter = slots.acquire().then(() => (admitted = true));
    slots.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(admitted).toBe(false);
    slots.release();
    await waiter;
    expect(admitted).toBe(true);
  });
});
