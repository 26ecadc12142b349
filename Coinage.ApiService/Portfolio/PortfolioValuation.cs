using Coinage.Domain.Ledger;
using Npgsql;

namespace Coinage.ApiService.Portfolio;

/// <summary>What one owner held at the end of each day of a window, and the price of each asset at that moment.</summary>
internal sealed record PortfolioDays(DateOnly First, IReadOnlyList<IReadOnlyDictionary<string, decimal>> Holdings, PriceDays Prices);

/// <summary>
/// Values a trader's holdings in a quote asset, day by day, from the two records that never lie: the ledger (what
/// they held) and the trades (each market's daily close, the close of its 1d candle). A day's value is taken at its
/// end, today's at this moment, so today's point is the portfolio's value now.
/// </summary>
public sealed class PortfolioValuation(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>The candles' origin (MarketDataReader): days start at midnight UTC.</summary>
    private const string Origin = "TIMESTAMPTZ '2000-01-03 00:00:00+00'";

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>The owner's holdings (available plus held: an open order's funds are still theirs) and prices, for <paramref name="days"/> days up to today.</summary>
    internal async Task<PortfolioDays> LoadAsync(long? owner, IReadOnlyCollection<MarketRef> markets, int days, CancellationToken cancellationToken)
    {
        var first = Today.AddDays(1 - days);
        var from = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot: a trade settled between the two reads would count its funds without its price or the reverse.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

        var changes = new Dictionary<string, decimal>[days];
        for (var i = 0; i < days; i++)
        {
            changes[i] = new(StringComparer.Ordinal);
        }
        if (owner is { } id)
        {
            // Everything before the window folds into its first day: that day's balance is the sum of all before it.
            await using var command = new NpgsqlCommand($"""
                SELECT asset, greatest(date_bin('1 day', created_at, {Origin}), @from), sum(amount)
                FROM ledger_postings WHERE owner_id = @owner GROUP BY 1, 2
                """, connection, tx);
            command.Parameters.AddWithValue("owner", id);
            command.Parameters.AddWithValue("from", from);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var day = DayIndex(first, reader.GetFieldValue<DateTimeOffset>(1));
                if (day < days)
                {
                    changes[day][reader.GetString(0)] = changes[day].GetValueOrDefault(reader.GetString(0)) + reader.GetDecimal(2);
                }
            }
        }
        var holdings = new IReadOnlyDictionary<string, decimal>[days];
        var running = new Dictionary<string, decimal>(StringComparer.Ordinal);
        for (var i = 0; i < days; i++)
        {
            foreach (var (asset, amount) in changes[i])
            {
                running[asset] = running.GetValueOrDefault(asset) + amount;
            }
            holdings[i] = running.Where(h => h.Value != 0).ToDictionary(StringComparer.Ordinal);
        }

        var closes = markets.ToDictionary(m => m.Id, _ => new decimal?[days]);
        if (markets.Count > 0)
        {
            // The last price before the window carries into it; then each day's last trade, which is its 1d candle's close.
            await using var command = new NpgsqlCommand($"""
                SELECT m, @from, (SELECT price FROM trades t WHERE t.market_id = m AND t.created_at < @from ORDER BY t.created_at DESC, t.id DESC LIMIT 1), 0
                FROM unnest(@markets) AS m
                UNION ALL
                (SELECT DISTINCT ON (market_id, day) market_id, day, price, 1 FROM (
                    SELECT market_id, date_bin('1 day', created_at, {Origin}) AS day, price, created_at, id
                    FROM trades WHERE market_id = ANY(@markets) AND created_at >= @from) w
                 ORDER BY market_id, day, created_at DESC, id DESC)
                ORDER BY 4
                """, connection, tx);
            command.Parameters.AddWithValue("markets", markets.Select(m => m.Id).ToArray());
            command.Parameters.AddWithValue("from", from);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var day = DayIndex(first, reader.GetFieldValue<DateTimeOffset>(1));
                if (!reader.IsDBNull(2) && day < days && closes.TryGetValue(reader.GetInt32(0), out var series))
                {
                    series[day] = reader.GetDecimal(2);
                }
            }
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var series in closes.Values)
        {
            // A day without trades keeps the day before's close, as a chart does.
            for (var i = 1; i < days; i++)
            {
                series[i] ??= series[i - 1];
            }
        }
        return new PortfolioDays(first, holdings, new PriceDays(markets, closes));
    }

    private static int DayIndex(DateOnly first, DateTimeOffset bucket) =>
        DateOnly.FromDateTime(bucket.UtcDateTime).DayNumber - first.DayNumber;
}

internal sealed record MarketRef(int Id, string Base, string Quote);

/// <summary>Each market's close per day, and the price of one asset in another derived from them.</summary>
internal sealed class PriceDays(IReadOnlyCollection<MarketRef> markets, IReadOnlyDictionary<int, decimal?[]> closes)
{
    /// <summary>
    /// The price of one <paramref name="asset"/> in <paramref name="quote"/> at the end of <paramref name="day"/>: its
    /// own market, the inverse of the reverse one, or through one asset in between (ETH in USD via ETH-BTC and BTC-USD
    /// when no ETH-USD traded). Null when no chain of markets has traded yet.
    /// </summary>
    public decimal? Price(string asset, string quote, int day)
    {
        if (asset == quote)
        {
            return 1m;
        }
        if (Direct(asset, quote, day) is { } direct)
        {
            return direct;
        }
        foreach (var via in markets.SelectMany(m => new[] { m.Base, m.Quote }).Distinct(StringComparer.Ordinal))
        {
            if (via != asset && via != quote && Direct(asset, via, day) is { } first && Direct(via, quote, day) is { } second)
            {
                return first * second;
            }
        }
        return null;
    }

    private decimal? Direct(string asset, string quote, int day)
    {
        foreach (var market in markets)
        {
            if (market.Base == asset && market.Quote == quote && closes[market.Id][day] is { } price)
            {
                return price;
            }
            if (market.Base == quote && market.Quote == asset && closes[market.Id][day] is { } inverse && inverse != 0)
            {
                return 1m / inverse;
            }
        }
        return null;
    }
}

/// <summary>One asset of a portfolio valued in the quote asset.</summary>
internal sealed record Valued(string Asset, decimal Amount, decimal? Price, decimal? Value);

internal static class PortfolioMath
{
    /// <summary>The day's holdings valued in <paramref name="quote"/>, rounded to its precision; an asset without a price has no value.</summary>
    public static IReadOnlyList<Valued> Value(IReadOnlyDictionary<string, decimal> holdings, PriceDays prices, Asset quote, int day) =>
        holdings.OrderBy(h => h.Key, StringComparer.Ordinal)
            .Select(h => prices.Price(h.Key, quote.Code, day) is { } price
                ? new Valued(h.Key, h.Value, price, decimal.Round(h.Value * price, quote.Precision, MidpointRounding.ToEven))
                : new Valued(h.Key, h.Value, null, null))
            .ToList();
}
