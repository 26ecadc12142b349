namespace Coinage.Domain.Matching;

/// <summary>
/// A reusable, growable sink for <see cref="MatchEvent"/>s. The engine appends; the caller reads
/// <see cref="Events"/> after a command (or a batch of commands) and calls <see cref="Clear"/>.
/// Once it has grown to the batch's size it never allocates again.
/// </summary>
public sealed class MatchEventBuffer
{
    private MatchEvent[] _items;
    private int _count;

    public MatchEventBuffer(int initialCapacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialCapacity);
        _items = new MatchEvent[initialCapacity];
    }

    public int Count => _count;

    public ReadOnlySpan<MatchEvent> Events => _items.AsSpan(0, _count);

    public ref readonly MatchEvent this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            return ref _items[index];
        }
    }

    public void Clear() => _count = 0;

    public void Add(in MatchEvent matchEvent)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[_count++] = matchEvent;
    }
}
