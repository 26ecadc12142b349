using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Npgsql;

namespace Coinage.Domain.Exchange;

/// <summary>
/// A dead man's switch (Kraken's <c>cancelAllOrdersAfter</c>): unless its owner renews it before
/// <see cref="Deadline"/>, every open order of the owner (in one market, or in all of them) is cancelled.
/// Written by the API, fired by the Worker (<see cref="CancelAllAfterSql.FireExpired"/>).
/// </summary>
public sealed class CancelAllAfterRecord
{
    /// <summary>Market id for a switch that covers every market.</summary>
    public const int AllMarkets = 0;

    /// <summary>The longest timeout accepted, in seconds, as on Kraken (there 86,400; ten minutes is plenty to renew).</summary>
    public const int MaxTimeoutSeconds = 600;

    public long OwnerId { get; set; }

    /// <summary>The market it covers, or <see cref="AllMarkets"/>.</summary>
    public int MarketId { get; set; }

    public DateTimeOffset Deadline { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class CancelAllAfterConfiguration : IEntityTypeConfiguration<CancelAllAfterRecord>
{
    public void Configure(EntityTypeBuilder<CancelAllAfterRecord> builder)
    {
        builder.ToTable("cancel_all_after");
        builder.HasKey(s => new { s.OwnerId, s.MarketId });
        // The Worker looks for the expired ones every second.
        builder.HasIndex(s => s.Deadline);
    }
}

public static class CancelAllAfterSql
{
    /// <summary>
    /// Arms a switch, or renews it with a new deadline. Returns one row, true when the switch was armed (there was none)
    /// and false when an armed one was renewed: only arming is audited (a bot renews every few seconds).
    /// </summary>
    public static NpgsqlBatchCommand Arm(long owner, int marketId, DateTimeOffset deadline, DateTimeOffset now) => ExchangeSql.Statement("""
        INSERT INTO cancel_all_after (owner_id, market_id, deadline, updated_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (owner_id, market_id) DO UPDATE SET deadline = excluded.deadline, updated_at = excluded.updated_at
        RETURNING xmax = 0
        """, owner, marketId, deadline.ToUniversalTime(), now.ToUniversalTime());

    /// <summary>Disarms a switch; returns a row only when one was armed.</summary>
    public static NpgsqlBatchCommand Disarm(long owner, int marketId) =>
        ExchangeSql.Statement("DELETE FROM cancel_all_after WHERE owner_id = $1 AND market_id = $2 RETURNING deadline", owner, marketId);

    /// <summary>
    /// Fires every switch whose deadline is at or before <c>$1</c>, in one statement: the switch rows are deleted and a
    /// cancel-all command is appended for each market where their owner has a live order (pending, untriggered, open),
    /// the same command <c>DELETE /api/v1/orders?market=</c> appends. Deleting and appending together makes it fire
    /// exactly once: a second Worker running the same statement waits for the first one's row locks and then finds
    /// nothing to delete. Returns one row per fired switch, for its audit entry: the owner's user id, the market it
    /// covered (null symbol for all markets), its deadline, how many live orders it covered, and the markets that got a
    /// command (for the NOTIFY that wakes their matching hosts).
    /// </summary>
    public static NpgsqlBatchCommand FireExpired(DateTimeOffset now) => ExchangeSql.Statement($"""
        WITH expired AS (
            DELETE FROM cancel_all_after WHERE deadline <= $1 RETURNING owner_id, market_id, deadline
        ), live AS (
            SELECT e.owner_id, e.market_id AS switch_market_id, o.market_id, count(*) AS orders
            FROM expired e JOIN orders o ON o.owner_id = e.owner_id AND (e.market_id = {CancelAllAfterRecord.AllMarkets} OR o.market_id = e.market_id)
            WHERE o.status IN (0, 1, 2, 6)
            GROUP BY e.owner_id, e.market_id, o.market_id
        ), commands AS (
            -- An owner's switch for all markets and one for a market may fire together: one command per market.
            INSERT INTO market_commands (market_id, type, owner_id, order_id, payload, created_at)
            SELECT DISTINCT market_id, {(int)MarketCommandType.CancelAll}, owner_id, NULL::bigint, $2::jsonb, $1::timestamptz FROM live
            ORDER BY owner_id, market_id
        )
        SELECT e.owner_id, t.user_id, m.symbol, e.deadline, coalesce(sum(l.orders), 0)::int,
               coalesce(array_agg(l.market_id ORDER BY l.market_id) FILTER (WHERE l.market_id IS NOT NULL), ARRAY[]::int[])
        FROM expired e
        LEFT JOIN traders t ON t.owner_id = e.owner_id
        LEFT JOIN markets m ON m.id = e.market_id
        LEFT JOIN live l ON l.owner_id = e.owner_id AND l.switch_market_id = e.market_id
        GROUP BY e.owner_id, e.market_id, t.user_id, m.symbol, e.deadline
        ORDER BY e.owner_id, e.market_id
        """, now.ToUniversalTime(), """{"source": "cancel_all_after"}""");
}
