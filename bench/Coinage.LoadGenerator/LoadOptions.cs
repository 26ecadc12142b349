using System.Globalization;

namespace Coinage.LoadGenerator;

/// <summary>Command line of the load generator (docs/performance.md, "End-to-end load").</summary>
internal sealed record LoadOptions
{
    /// <summary>The ApiService's base address (not the web front end: the benchmark measures the API, not the proxy).</summary>
    public Uri Url { get; init; } = new("http://127.0.0.1:5100");

    /// <summary>maildev's web address, where the verification emails are read.</summary>
    public Uri MailDev { get; init; } = new("http://127.0.0.1:1080");

    /// <summary>Optional PostgreSQL connection string: matched/s and settled/s are read from the database.</summary>
    public string? Database { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests in flight at any time (one loop per connection, each waiting for its answer).</summary>
    public int Concurrency { get; init; } = 64;

    public int Traders { get; init; } = 16;

    public IReadOnlyList<string> Markets { get; init; } = ["BTC-USD", "ETH-USD"];

    /// <summary>Share of operations that cancel one of the loop's open orders (when it has one).</summary>
    public double CancelShare { get; init; } = 0.25;

    /// <summary>Share of placements that cross the spread (IOC limit orders that trade at once).</summary>
    public double TakerShare { get; init; } = 0.2;

    public int Seed { get; init; } = 42;

    /// <summary>Orders (and cancels) per request: 1 uses the single-order endpoints, more uses <c>/orders/batch</c> and <c>/orders/batch-cancel</c>.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>How the loops authenticate: <c>session</c> (each trader's bearer token) or <c>apikey</c> (a key per trader, every request signed).</summary>
    public string Auth { get; init; } = "session";

    public bool ApiKeys => Auth == "apikey";

    public const string Usage = """
        Coinage.LoadGenerator: drives the running platform's order API and reports what it sustains.

          --url URL            ApiService base address (default http://127.0.0.1:5100)
          --maildev URL        maildev web address, to read verification emails (default http://127.0.0.1:1080)
          --db CONNSTRING      PostgreSQL connection string: adds matched/s and settled/s (optional)
          --duration SECONDS   measured run (default 60)
          --warmup SECONDS     unmeasured run first (default 30: JIT tiering settles)
          --concurrency N      requests in flight (default 64)
          --traders N          traders registered, verified and funded for the run (default 16)
          --markets A,B        markets traded (default BTC-USD,ETH-USD)
          --cancel-share X     share of operations that are cancels (default 0.25)
          --taker-share X      share of placements that cross the spread (default 0.2)
          --seed N             random seed (default 42)
          --batch N            orders per request: 1 (default) sends single orders, 2-20 uses the batch endpoints
          --auth session|apikey  bearer tokens (default), or an API key per trader signing every request (docs/api-keys.md)
        """;

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                throw new ArgumentException(Usage);
            }
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value.\n\n{Usage}");
            }
            var value = args[++i];
            options = name switch
            {
                "--url" => options with { Url = new Uri(value.TrimEnd('/') + "/") },
                "--maildev" => options with { MailDev = new Uri(value.TrimEnd('/') + "/") },
                "--db" => options with { Database = value },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Positive(name, value)) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--concurrency" => options with { Concurrency = (int)Positive(name, value) },
                "--traders" => options with { Traders = (int)Positive(name, value) },
                "--markets" => options with { Markets = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => m.ToUpperInvariant()).ToList() },
                "--cancel-share" => options with { CancelShare = Share(name, value) },
                "--taker-share" => options with { TakerShare = Share(name, value) },
                "--seed" => options with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                "--batch" => options with { Batch = (int)Positive(name, value) is var b and <= 20 ? b : throw new ArgumentException("--batch is at most 20.") },
                "--auth" => options with { Auth = value is "session" or "apikey" ? value : throw new ArgumentException("--auth is session or apikey.") },
                _ => throw new ArgumentException($"Unknown option {name}.\n\n{Usage}"),
            };
        }
        return options.Markets.Count == 0 ? throw new ArgumentException("--markets names no market.") : options;
    }

    private static double Positive(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive number.");

    private static double Share(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 1 ? v : throw new ArgumentException($"{name} must be between 0 and 1.");
}
