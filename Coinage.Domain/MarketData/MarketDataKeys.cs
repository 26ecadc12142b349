namespace Coinage.Domain.MarketData;

/// <summary>
/// The Redis names the Worker's market-data publisher writes and the ApiService reads (docs/exchange.md,
/// "Market data"). Channels carry the hub's messages ready to relay; keys hold what REST and a new
/// subscriber start from. <paramref name="prefix"/> (<c>Coinage:MarketData:KeyPrefix</c>, empty by
/// default) lets several exchanges share one Redis, e.g. test databases.
/// </summary>
public sealed class MarketDataKeys(string? prefix = null)
{
    public const string PrefixSetting = "Coinage:MarketData:KeyPrefix";

    private readonly string _prefix = prefix ?? "";

    /// <summary>Key (string): the published <see cref="BookSnapshot"/> JSON, its sequence included.</summary>
    public string Book(string symbol) => $"{_prefix}md:{symbol}:book";

    /// <summary>Key (list): recent <see cref="PublicTrade"/> JSON, newest first, capped.</summary>
    public string Trades(string symbol) => $"{_prefix}md:{symbol}:trades";

    /// <summary>Key (string): the 24-hour statistics of every market, cached briefly by the ApiService.</summary>
    public string Stats24h => $"{_prefix}md:stats24h";

    /// <summary>Key (string): a cached candles answer.</summary>
    public string Candles(string query) => $"{_prefix}md:candles:{query}";

    /// <summary>Channel: a <see cref="BookUpdate"/>.</summary>
    public string BookChannel(string symbol) => $"{_prefix}market:{symbol}:book";

    /// <summary>Channel: a <see cref="TradesUpdate"/>.</summary>
    public string TradesChannel(string symbol) => $"{_prefix}market:{symbol}:trades";

    /// <summary>Channel: a <see cref="Risk.MarketStatusUpdate"/> (halted, cancel-only, open again).</summary>
    public string StatusChannel(string symbol) => $"{_prefix}market:{symbol}:status";

    /// <summary>Channel: a JSON array of <see cref="UserEvent"/> for one user, in order.</summary>
    public string UserChannel(Guid userId) => $"{_prefix}user:{userId:N}:events";

    /// <summary>Pattern of every market channel.</summary>
    public string MarketPattern => $"{_prefix}market:*";

    /// <summary>Pattern of every user channel.</summary>
    public string UserPattern => $"{_prefix}user:*";

    /// <summary>Splits a received channel name into its kind (<c>market</c> or <c>user</c>), its subject and its topic.</summary>
    public bool TryParseChannel(string channel, out string kind, out string subject, out string topic)
    {
        kind = subject = topic = "";
        if (!channel.StartsWith(_prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var parts = channel[_prefix.Length..].Split(':');
        if (parts.Length != 3 || parts[0] is not ("market" or "user"))
        {
            return false;
        }
        (kind, subject, topic) = (parts[0], parts[1], parts[2]);
        return true;
    }
}
