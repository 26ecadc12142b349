namespace Coinage.Worker.MarketData;

/// <summary>One price level as published: price and total resting quantity, in market units.</summary>
public readonly record struct BookLevel(decimal Price, decimal Quantity);

/// <summary>
/// Changed levels between two published books (top N per side). A level that left the top N, filled
/// or was cancelled comes out with quantity 0; one that entered or changed carries its new total.
/// Applying the diff to the older book gives exactly the newer one (<see cref="Apply"/>).
/// </summary>
public static class BookDiff
{
    /// <summary>Changes from <paramref name="before"/> to <paramref name="after"/>, in book order of the side.</summary>
    public static List<BookLevel> Compute(IReadOnlyList<BookLevel> before, IReadOnlyList<BookLevel> after, bool bids)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var old = new Dictionary<decimal, decimal>(before.Count);
        foreach (var level in before)
        {
            old[level.Price] = level.Quantity;
        }
        var changes = new List<BookLevel>();
        foreach (var level in after)
        {
            if (!old.Remove(level.Price, out var quantity) || quantity != level.Quantity)
            {
                changes.Add(level);
            }
        }
        foreach (var (price, _) in old)
        {
            changes.Add(new BookLevel(price, 0m));
        }
        changes.Sort(Comparer(bids));
        return changes;
    }

    /// <summary>The book after <paramref name="changes"/>: what a client does with a <c>bookUpdate</c>.</summary>
    public static List<BookLevel> Apply(IReadOnlyList<BookLevel> book, IReadOnlyList<BookLevel> changes, bool bids)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(changes);
        var levels = new SortedDictionary<decimal, decimal>(bids ? Comparer<decimal>.Create((a, b) => b.CompareTo(a)) : Comparer<decimal>.Default);
        foreach (var level in book)
        {
            levels[level.Price] = level.Quantity;
        }
        foreach (var change in changes)
        {
            if (change.Quantity == 0m)
            {
                levels.Remove(change.Price);
            }
            else
            {
                levels[change.Price] = change.Quantity;
            }
        }
        return levels.Select(l => new BookLevel(l.Key, l.Value)).ToList();
    }

    private static Comparer<BookLevel> Comparer(bool bids) => bids
        ? Comparer<BookLevel>.Create((a, b) => b.Price.CompareTo(a.Price))
        : Comparer<BookLevel>.Create((a, b) => a.Price.CompareTo(b.Price));
}
