using Coinage.Domain.Exchange;
using Npgsql;

namespace Coinage.ApiService.Trading.Risk;

/// <summary>
/// The statements the group commit adds for the risk controls it judges under a lock (docs/exchange.md, "Risk
/// controls"): the trader locks, the suspensions and the open-order counts. Added to its first round trip.
/// </summary>
internal static class RiskSql
{
    /// <summary>First key of the traders' transaction advisory locks ("Rsk"), apart from every other lock of the platform.</summary>
    public const int TraderLockSpace = 0x52736B;

    /// <summary>
    /// A transaction advisory lock per trader, taken in key order (so two writers never wait for each other in a
    /// circle), held to the commit. Two writers (or API replicas) judging placements of one trader are serialized
    /// by it, so each counts the other's committed orders (the open-order cap) and a suspension, which takes the
    /// same lock, waits for the placements in flight and is seen by every placement after it. A key is the owner id
    /// modulo 2^31 − 1: two traders sharing one only wait for each other, they are still judged apart.
    /// </summary>
    public static NpgsqlBatchCommand LockTraders(IEnumerable<long> owners) => ExchangeSql.Statement("""
        SELECT pg_advisory_xact_lock($1, k) FROM (SELECT DISTINCT (o % 2147483647)::int AS k FROM unnest($2::bigint[]) AS o ORDER BY k) AS keys
        """, TraderLockSpace, owners.Distinct().ToArray());

    /// <summary>The same lock for one trader, for the Admin's suspension (EF: <c>SELECT … FROM</c>).</summary>
    public static FormattableString LockTrader(long owner) =>
        $"SELECT pg_advisory_xact_lock({TraderLockSpace}, {(int)(owner % int.MaxValue)})";

    /// <summary>Of <paramref name="owners"/>, those whose trading is suspended.</summary>
    public static NpgsqlBatchCommand SuspendedTraders(IEnumerable<long> owners) => ExchangeSql.Statement(
        "SELECT owner_id FROM traders WHERE owner_id = ANY($1) AND trading_suspended_at IS NOT NULL", owners.Distinct().ToArray());

    /// <summary>
    /// Open orders per (trader, market): resting ones (book_priority set: Open, PartiallyFilled) plus Pending ones
    /// (their place command not yet processed). One statement, so one snapshot: the matching host moves an order
    /// from pending to resting in one commit (command marked, row updated), and it is counted exactly once.
    /// </summary>
    public static NpgsqlBatchCommand OpenOrderCounts(IReadOnlyList<(long Owner, int Market)> pairs) => ExchangeSql.Statement("""
        SELECT t.o, t.m,
            (SELECT count(*) FROM orders WHERE owner_id = t.o AND market_id = t.m AND book_priority IS NOT NULL)
          + (SELECT count(*) FROM market_commands WHERE market_id = t.m AND processed_at IS NULL AND owner_id = t.o AND type = $3)
        FROM unnest($1::bigint[], $2::int[]) AS t(o, m)
        """, pairs.Select(p => p.Owner).ToArray(), pairs.Select(p => p.Market).ToArray(), (short)MarketCommandType.Place);
}
