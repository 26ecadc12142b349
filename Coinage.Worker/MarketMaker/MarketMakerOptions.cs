namespace Coinage.Worker.MarketMaker;

/// <summary><c>Coinage:MarketMaker</c>: the Development market maker (docs/exchange.md, "Market maker").</summary>
public sealed class MarketMakerOptions
{
    public const string Section = "Coinage:MarketMaker";

    /// <summary>Null = on in Development only.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The API, through service discovery.</summary>
    public Uri ApiBaseUrl { get; set; } = new("http://apiservice");

    /// <summary>The quoting account (seeded by the API in Development).</summary>
    public string Email { get; set; } = "market-maker@coinage.local";

    public string? Password { get; set; }

    /// <summary>
    /// The account that occasionally crosses the spread. Self-trade prevention stops an account from
    /// trading with its own quotes, so trades need a second one; it signs in with <see cref="Password"/>.
    /// </summary>
    public string TakerEmail { get; set; } = "market-taker@coinage.local";

    /// <summary>Pause between two quoting cycles.</summary>
    public TimeSpan CycleInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Requests per second over both accounts, well below the API's per-user limit (600 a minute).</summary>
    public int RequestsPerSecond { get; set; } = 4;

    /// <summary>Resting orders per side and market.</summary>
    public int Levels { get; set; } = 5;

    /// <summary>Closest quote to the reference price, in basis points.</summary>
    public int MinSpreadBps { get; set; } = 5;

    /// <summary>Farthest quote from the reference price, in basis points.</summary>
    public int MaxSpreadBps { get; set; } = 60;

    /// <summary>Largest random-walk step of a reference price per cycle, in basis points.</summary>
    public int MaxStepBps { get; set; } = 8;

    /// <summary>Chance per market and cycle (percent) that the taker sends a small IOC across the spread.</summary>
    public int CrossPercent { get; set; } = 25;

    /// <summary>Chance per side and cycle (percent) that the oldest quote is cancelled and replaced.</summary>
    public int RefreshPercent { get; set; } = 30;

    /// <summary>Size of a quote in lots above the market's minimum: 1 to this many times the minimum.</summary>
    public int MaxSizeMultiple { get; set; } = 5;

    /// <summary>Reference prices to start from, per market; markets not listed start from their last trade or are skipped.</summary>
    public Dictionary<string, decimal> ReferencePrices { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["BTC-USD"] = 65000m,
        ["ETH-USD"] = 3500m,
        ["ETH-BTC"] = 0.054m,
    };

    /// <summary>Balances each account keeps topped up with (simulated) deposits.</summary>
    public Dictionary<string, decimal> Funding { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["USD"] = 5_000_000m,
        ["BTC"] = 100m,
        ["ETH"] = 1_500m,
    };

    public bool IsEnabled(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return Enabled ?? environment.IsDevelopment();
    }
}

internal static class MarketMakerExtensions
{
    public const string HttpClientName = "market-maker";

    public static IHostApplicationBuilder AddMarketMaker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MarketMakerOptions>().Bind(builder.Configuration.GetSection(MarketMakerOptions.Section))
            .Validate(o => o.Levels is >= 1 and <= 50 && o.RequestsPerSecond is >= 1 and <= 9
                    && o.MinSpreadBps >= 1 && o.MaxSpreadBps > o.MinSpreadBps && o.MaxStepBps is >= 0 and < 500
                    && o.CrossPercent is >= 0 and <= 100 && o.RefreshPercent is >= 0 and <= 100 && o.MaxSizeMultiple >= 1
                    && o.CycleInterval > TimeSpan.Zero && o.ReferencePrices.Values.All(p => p > 0),
                "Coinage:MarketMaker has an invalid setting (see docs/exchange.md, Market maker).")
            .ValidateOnStart();
        builder.Services.AddHttpClient(HttpClientName);
        builder.Services.AddHostedService<MarketMakerHost>();
        return builder;
    }
}
