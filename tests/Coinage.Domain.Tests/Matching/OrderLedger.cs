using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Matching;

/// <summary>
/// Follows every order through the event stream and checks the conservation rules: per order,
/// accepted ± amended = traded + cancelled + still resting or armed (quote budgets: budget = spent +
/// cancelled quote), an order armed before it trades and triggered at most once, both sides of every
/// trade are opposite sides, and buys traded = sells traded.
/// </summary>
internal sealed class OrderLedger
{
    private readonly Dictionary<long, Entry> _entries = [];

    public long BoughtLots { get; private set; }

    public long SoldLots { get; private set; }

    public int TradeCount { get; private set; }

    /// <summary>Ids of the orders that fired, in the order they fired.</summary>
    public List<long> Triggers { get; } = [];

    public void Apply(ReadOnlySpan<MatchEvent> events)
    {
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case MatchEventKind.Accepted:
                    Assert.False(_entries.ContainsKey(e.OrderId), $"order {e.OrderId} accepted twice");
                    _entries[e.OrderId] = new Entry(e.Side, e.Quantity, e.QuoteAmount);
                    break;
                case MatchEventKind.Trade:
                    var taker = _entries[e.OrderId];
                    var maker = _entries[e.MakerOrderId];
                    Assert.NotEqual(taker.Side, maker.Side);
                    Assert.True(e.Quantity > 0, $"empty trade {e}");
                    Assert.NotEqual(e.Owner, e.MakerOwner);
                    taker.Traded += e.Quantity;
                    taker.Spent += e.Quantity * e.Price;
                    maker.Traded += e.Quantity;
                    Assert.Equal(maker.Quantity - maker.Traded - maker.Cancelled, e.MakerRemaining);
                    TradeCount++;
                    if (taker.Side == Side.Buy)
                    {
                        BoughtLots += e.Quantity;
                        taker.Bought += e.Quantity;
                        maker.Sold += e.Quantity;
                    }
                    else
                    {
                        SoldLots += e.Quantity;
                        taker.Sold += e.Quantity;
                        maker.Bought += e.Quantity;
                    }

                    break;
                case MatchEventKind.Cancelled:
                    var cancelled = _entries[e.OrderId];
                    cancelled.Cancelled += e.Quantity;
                    cancelled.CancelledQuote += e.QuoteAmount;
                    Assert.NotEqual(CancelReason.None, e.CancelReason);
                    break;
                case MatchEventKind.Rested:
                    var rested = _entries[e.OrderId];
                    Assert.Equal(rested.Quantity - rested.Traded - rested.Cancelled, e.Quantity);
                    break;
                case MatchEventKind.Rejected:
                    Assert.NotEqual(RejectReason.None, e.RejectReason);
                    break;
                case MatchEventKind.Armed:
                    var armed = _entries[e.OrderId];
                    Assert.True(armed is { Armed: false, Triggered: false, Traded: 0 }, $"order {e.OrderId} armed twice or after trading");
                    armed.Armed = true;
                    break;
                case MatchEventKind.Triggered:
                    var triggered = _entries[e.OrderId];
                    Assert.True(triggered is { Armed: true, Triggered: false, Cancelled: 0 }, $"order {e.OrderId} triggered twice, unarmed or cancelled");
                    triggered.Triggered = true;
                    Triggers.Add(e.OrderId);
                    break;
                case MatchEventKind.Amended:
                    var amended = _entries[e.OrderId];
                    Assert.Equal(amended.Quantity - amended.Traded - amended.Cancelled, e.MakerRemaining);
                    amended.Quantity += e.Quantity - e.MakerRemaining;
                    break;
                default:
                    Assert.Fail($"unexpected event kind {e.Kind}");
                    break;
            }
        }
    }

    /// <summary>Registers orders that entered the book through <see cref="MatchingEngine.Restore"/>.</summary>
    public void Restored(in RestingOrder order) => _entries[order.OrderId] = new Entry(order.Side, order.Quantity, 0);

    /// <summary>Registers orders that were armed again through <see cref="MatchingEngine.RestoreArmed"/>.</summary>
    public void Restored(in ArmedOrder armed) =>
        _entries[armed.Order.OrderId] = new Entry(armed.Order.Side, armed.Order.Quantity, armed.Order.QuoteBudget) { Armed = true };

    public void AssertConserved(MatchingEngine engine)
    {
        long buyTraded = 0, sellTraded = 0;
        foreach (var (id, entry) in _entries)
        {
            var resting = engine.TryGetOrder(id, out var order) ? order.Quantity : 0;
            if (engine.TryGetArmed(id, out var armed))
            {
                Assert.True(entry is { Armed: true, Triggered: false, Traded: 0, Cancelled: 0, CancelledQuote: 0 }, $"order {id} is armed in a wrong state");
                Assert.Equal((entry.Quantity, entry.QuoteBudget), (armed.Order.Quantity, armed.Order.QuoteBudget));
            }
            else if (entry.QuoteBudget > 0)
            {
                Assert.Equal(0, resting);
                Assert.Equal(entry.QuoteBudget, entry.Spent + entry.CancelledQuote);
            }
            else
            {
                Assert.True(entry.Quantity == entry.Traded + entry.Cancelled + resting,
                    $"order {id}: {entry.Quantity} accepted != {entry.Traded} traded + {entry.Cancelled} cancelled + {resting} resting");
            }

            (entry.Side == Side.Buy ? ref buyTraded : ref sellTraded) += entry.Traded;
            Assert.Equal(entry.Side == Side.Buy ? entry.Traded : 0, entry.Bought);
            Assert.Equal(entry.Side == Side.Sell ? entry.Traded : 0, entry.Sold);
        }

        Assert.Equal(buyTraded, sellTraded);
        Assert.Equal(BoughtLots + SoldLots, buyTraded);

        foreach (var side in (Side[])[Side.Buy, Side.Sell])
        {
            foreach (var order in engine.GetRestingOrders(side))
            {
                Assert.True(_entries.ContainsKey(order.OrderId), $"order {order.OrderId} rests but was never accepted");
            }
        }
    }

    private sealed class Entry(Side side, long quantity, long quoteBudget)
    {
        public Side Side { get; } = side;
        public long Quantity { get; set; } = quantity;
        public bool Armed { get; set; }
        public bool Triggered { get; set; }
        public long QuoteBudget { get; } = quoteBudget;
        public long Traded { get; set; }
        public long Spent { get; set; }
        public long Cancelled { get; set; }
        public long CancelledQuote { get; set; }
        public long Bought { get; set; }
        public long Sold { get; set; }
    }
}
