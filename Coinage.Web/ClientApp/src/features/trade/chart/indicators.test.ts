import { describe, expect, it } from 'vitest';
import { exponentialMovingAverage, movingAverage, simpleMovingAverage } from './indicators';

describe('moving averages', () => {
  it('averages the last `period` closes and leaves the start empty until there are enough', () => {
    expect(simpleMovingAverage([1, 2, 3, 4, 5, 6], 3)).toEqual([null, null, 2, 3, 4, 5]);
    expect(simpleMovingAverage([10, 20], 1)).toEqual([10, 20]);
    expect(simpleMovingAverage([1, 2], 3)).toEqual([null, null]);
    expect(simpleMovingAverage([], 7)).toEqual([]);
  });

  it('does not drift over a long series (the running sum drops what leaves the window)', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? 100 : 102));
    const averaged = simpleMovingAverage(values, 2);
    expect(averaged.at(-1)).toBe(101);
    expect(simpleMovingAverage([5, 5, 5, 9, 9, 9], 3)).toEqual([null, null, 5, 19 / 3, 23 / 3, 9]);
  });

  it('seeds the exponential average with the simple one and then weighs new closes by 2/(period+1)', () => {
    // period 3: k = 0.5; seed (2+4+6)/3 = 4; then 8*0.5 + 4*0.5 = 6; then 0*0.5 + 6*0.5 = 3.
    expect(exponentialMovingAverage([2, 4, 6, 8, 0], 3)).toEqual([null, null, 4, 6, 3]);
    expect(exponentialMovingAverage([7, 7, 7, 7], 2)).toEqual([null, 7, 7, 7]);
  });

  it('picks the kind from the spec and refuses a period that is not a positive whole number', () => {
    expect(movingAverage([2, 4, 6, 0], { id: 'x', kind: 'sma', period: 2 })).toEqual([null, 3, 5, 3]);
    // k = 2/3: 6·2/3 + 3/3 = 5, then 0·2/3 + 5/3.
    expect(movingAverage([2, 4, 6, 0], { id: 'x', kind: 'ema', period: 2 })).toEqual([null, 3, 5, expect.closeTo(5 / 3, 10)]);
    expect(() => simpleMovingAverage([1], 0)).toThrow(RangeError);
    expect(() => exponentialMovingAverage([1], 2.5)).toThrow(RangeError);
  });
});
