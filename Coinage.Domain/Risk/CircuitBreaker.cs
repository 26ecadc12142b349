namespace Coinage.Domain.Risk;

/// <summary>A tripped circuit breaker: the prices that moved too far, and the move in basis points (rounded down).</summary>
public sealed record BreakerTrip(decimal Low, decimal High, int MoveBps);

/// <summary>
/// The circuit breaker's rule (docs/exchange.md, "Risk controls"): the market moved too far when, over the trades
/// of the window, the highest price is more than <c>moveBps</c> basis points above the lowest. Up or down does not
/// matter: a crash and a squeeze halt alike. Pure, so the matching host (which runs it on the database's trades
/// after every batch) and the tests agree on every sequence.
/// </summary>
public static class CircuitBreaker
{
    /// <summary>The trip of a window whose trades went from <paramref name="low"/> to <paramref name="high"/>, or null.</summary>
    public static BreakerTrip? Check(decimal? low, decimal? high, int? moveBps)
    {
        if (low is not { } l || high is not { } h || l <= 0 || h < l || moveBps is not > 0)
        {
            return null;
        }
        // (h − l) / l > bps / 10 000, in decimals: no rounding decides a trip.
        if ((h - l) * PriceBand.MaxBps <= l * moveBps.Value)
        {
            return null;
        }
        var move = (h - l) * PriceBand.MaxBps / l;
        return new BreakerTrip(l, h, move >= int.MaxValue ? int.MaxValue : (int)decimal.Floor(move));
    }

    /// <summary>
    /// Where the window starts: <paramref name="window"/> back from <paramref name="now"/>, but never before the market's
    /// last status change, so a market that reopens does not trip again on the move that halted it.
    /// </summary>
    public static DateTimeOffset WindowStart(DateTimeOffset now, TimeSpan window, DateTimeOffset? statusChangedAt) =>
        statusChangedAt is { } changed && changed > now - window ? changed : now - window;

    /// <summary>The phase that follows a breaker phase ending: a halt goes to cancel-only, cancel-only to open.</summary>
    public static (Exchange.MarketStatus Status, TimeSpan? For) Next(Exchange.MarketStatus current, TimeSpan cancelOnly) => current switch
    {
        Exchange.MarketStatus.Halted when cancelOnly > TimeSpan.Zero => (Exchange.MarketStatus.CancelOnly, cancelOnly),
        _ => (Exchange.MarketStatus.Open, null),
    };
}
