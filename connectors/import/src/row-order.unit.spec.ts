import { RowOrder } from './row-order';

describe('RowOrder', () => {
  it('releases results in row order once every row before them completed', () => {
    const order = new RowOrder<string>();
    expect(order.complete(2, 'b')).toEqual([]);
    expect(order.complete(3, 'c')).toEqual([]);
    expect([order.done, order.held]).toEqual([0, 2]);
    expect(order.complete(1, 'a')).toEqual(['a', 'b', 'c']);
    expect([order.done, order.held]).toEqual([3, 0]);
    expect(order.complete(5, 'e')).toEqual([]);
    expect(order.done).toBe(3);
  });

  it("starts past a checkpoint's rows and refuses a row completed twice", () => {
    const order = new RowOrder<string>(10);
    expect(order.complete(11, 'k')).toEqual(['k']);
    expect(() => order.complete(11, 'k')).toThrow(/twice/);
    expect(() => order.complete(4, 'd')).toThrow(/twice/);
  });
});
