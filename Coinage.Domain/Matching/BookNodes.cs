namespace Coinage.Domain.Matching;

// Mutable, pooled nodes of the book. Fields rather than properties, and intrusive links rather than
// LinkedList<T>, so that resting, filling and cancelling an order touch no allocator and no extra
// indirection. Only the engine sees them.

internal sealed class OrderNode
{
    public long Id;
    public long Owner;
    public long Price;
    public long Remaining;

    /// <summary>Time priority across the whole book: the order in which orders came to rest.</summary>
    public long Sequence;

    public Side Side;

    /// <summary>The armed stop leg of its one-cancels-the-other pair; 0 when it has none.</summary>
    public long OcoPartner;

    public LevelNode? Level;

    /// <summary>FIFO links inside <see cref="Level"/>; <see cref="Next"/> also links the free list.</summary>
    public OrderNode? Prev;
    public OrderNode? Next;

    public OwnerOrders? OwnerList;
    public OrderNode? OwnerPrev;
    public OrderNode? OwnerNext;
}

internal sealed class LevelNode
{
    public long Price;
    public long Total;
    public int Count;
    public OrderNode? Head;
    public OrderNode? Tail;

    /// <summary>Links the free list.</summary>
    public LevelNode? NextFree;
}

/// <summary>An owner's resting orders in the order they came to rest: what cancel-all walks.</summary>
internal sealed class OwnerOrders
{
    public OrderNode? Head;
    public OrderNode? Tail;
    public int Count;
}

/// <summary>
/// One side of the book: its price levels in an array sorted by key, best level LAST, so that the
/// hot operations (take the best level, drop it once empty, add a level near the touch) work at the
/// end of the array with no or little shifting. The key is the price for bids and minus the price
/// for asks, so on both sides a greater key is a better price.
/// </summary>
internal sealed class BookSide
{
    private const int LinearProbe = 8;

    private long[] _keys;
    private LevelNode[] _levels;
    private int _count;
    private LevelNode? _freeLevels;

    public BookSide(bool isBid, int initialCapacity = 256)
    {
        IsBid = isBid;
        _keys = new long[initialCapacity];
        _levels = new LevelNode[initialCapacity];
    }

    public bool IsBid { get; }

    public int Count => _count;

    public long KeyOf(long price) => IsBid ? price : -price;

    /// <summary>Key of the best level; only when <see cref="Count"/> &gt; 0.</summary>
    public long BestKey => _keys[_count - 1];

    public LevelNode Best => _levels[_count - 1];

    /// <summary>The <paramref name="rank"/>-th best level (0 = best).</summary>
    public LevelNode LevelAt(int rank) => _levels[_count - 1 - rank];

    public long KeyAt(int rank) => _keys[_count - 1 - rank];

    public LevelNode? Find(long price)
    {
        var index = IndexOf(KeyOf(price));
        return index >= 0 ? _levels[index] : null;
    }

    /// <summary>The level at <paramref name="price"/>, added (empty) if there is none.</summary>
    public LevelNode GetOrAdd(long price)
    {
        var key = KeyOf(price);
        var keys = _keys;
        var i = _count - 1;
        var lo = Math.Max(0, _count - LinearProbe);
        while (i >= lo && keys[i] > key)
        {
            i--;
        }

        int insertAt;
        if (i >= lo || lo == 0)
        {
            if (i >= 0 && keys[i] == key)
            {
                return _levels[i];
            }

            insertAt = i + 1;
        }
        else
        {
            var found = Array.BinarySearch(keys, 0, lo, key);
            if (found >= 0)
            {
                return _levels[found];
            }

            insertAt = ~found;
        }

        var level = _freeLevels ?? new LevelNode();
        _freeLevels = level.NextFree;
        level.NextFree = null;
        level.Price = price;
        Insert(insertAt, key, level);
        return level;
    }

    /// <summary>Removes an empty level and keeps its node for reuse.</summary>
    public void Remove(LevelNode level)
    {
        var last = _count - 1;
        if (!ReferenceEquals(_levels[last], level))
        {
            var index = IndexOf(KeyOf(level.Price));
            Array.Copy(_keys, index + 1, _keys, index, last - index);
            Array.Copy(_levels, index + 1, _levels, index, last - index);
        }

        _levels[last] = null!;
        _count = last;
        Recycle(level);
    }

    public void Clear()
    {
        for (var i = 0; i < _count; i++)
        {
            Recycle(_levels[i]);
            _levels[i] = null!;
        }

        _count = 0;
    }

    private void Recycle(LevelNode level)
    {
        level.Head = level.Tail = null;
        level.Count = 0;
        level.Total = 0;
        level.NextFree = _freeLevels;
        _freeLevels = level;
    }

    private int IndexOf(long key)
    {
        // Most lookups are near the touch: probe the top few levels before bisecting.
        var keys = _keys;
        var lo = Math.Max(0, _count - LinearProbe);
        for (var i = _count - 1; i >= lo; i--)
        {
            if (keys[i] == key)
            {
                return i;
            }

            if (keys[i] < key)
            {
                return ~(i + 1);
            }
        }

        return Array.BinarySearch(keys, 0, lo, key);
    }

    private void Insert(int index, long key, LevelNode level)
    {
        if (_count == _keys.Length)
        {
            Array.Resize(ref _keys, _keys.Length * 2);
            Array.Resize(ref _levels, _levels.Length * 2);
        }

        Array.Copy(_keys, index, _keys, index + 1, _count - index);
        Array.Copy(_levels, index, _levels, index + 1, _count - index);
        _keys[index] = key;
        _levels[index] = level;
        _count++;
    }
}
