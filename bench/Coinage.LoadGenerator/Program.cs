using System.Diagnostics;
using System.Globalization;
using Coinage.LoadGenerator;
using Npgsql;

// End-to-end load against the RUNNING platform (docs/performance.md, "End-to-end load"):
//   dotnet run -c Release --project bench/Coinage.LoadGenerator -- --url http://127.0.0.1:PORT --maildev http://127.0.0.1:PORT --db "…"
LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var ct = cancel.Token;

using var handler = new SocketsHttpHandler
{
    // One connection per loop: no request waits for a pooled connection, so the latency is the server's.
    MaxConnectionsPerServer = options.Concurrency + 8,
    PooledConnectionLifetime = TimeSpan.FromMinutes(10),
    UseCookies = false,
};
using var api = new HttpClient(handler, disposeHandler: false) { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(30) };
using var mail = new HttpClient { BaseAddress = options.MailDev, Timeout = TimeSpan.FromSeconds(30) };

var setup = new TraderSetup(api, mail, Console.Out);
var markets = await setup.MarketsAsync(options.Markets, ct);
var assets = markets.SelectMany(m => new[] { m.BaseAsset, m.QuoteAsset }).Distinct(StringComparer.Ordinal).ToList();
var watch = Stopwatch.StartNew();
var traders = await setup.CreateAsync(options.Traders, assets, options.ApiKeys, ct);
Console.WriteLine($"setup took {watch.Elapsed.TotalSeconds:0.0} s");

var loadBefore = LoadAverage();
Console.WriteLine($"running: {options.Warmup.TotalSeconds:0} s warm-up, then {options.Duration.TotalSeconds:0} s measured; {options.Concurrency} connections, {traders.Count} traders, markets {string.Join(',', options.Markets)}");
var (stats, start, end) = await new Workload(api, traders, markets, options).RunAsync(ct);
var loadAfter = LoadAverage();

var seconds = options.Duration.TotalSeconds;
var report = new List<string>
{
    "",
    $"== Coinage end-to-end load: {seconds:0} s measured, {options.Concurrency} connections, {traders.Count} traders, {string.Join(',', options.Markets)}"
        + (options.Batch > 1 ? $", batches of {options.Batch} (/orders/batch, /orders/batch-cancel)" : ", single orders")
        + (options.ApiKeys ? ", signed with API keys" : ", session tokens"),
    $"machine: {Environment.ProcessorCount} cores, load average {loadBefore} before, {loadAfter} after",
    $"orders accepted (201):   {stats.Accepted,9}  {stats.Accepted / seconds,9:0.0}/s",
    $"cancels accepted (202):  {stats.CancelsAccepted,9}  {stats.CancelsAccepted / seconds,9:0.0}/s   (+{stats.CancelsTooLate} too late: order_not_open)",
    $"place ack latency (ms):  {Percentiles(stats.PlaceLatencies)}" + (options.Batch > 1 ? "   (per request)" : ""),
    $"cancel ack latency (ms): {Percentiles(stats.CancelLatencies)}" + (options.Batch > 1 ? "   (per request)" : ""),
    stats.Errors.Count == 0
        ? "errors:                  none"
        : "errors:                  " + string.Join(", ", stats.Errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} ×{e.Value}")),
};
if (options.Database is { } connectionString)
{
    report.AddRange(await DatabaseFiguresAsync(connectionString, start, end, seconds, ct));
}
else
{
    report.Add("matched/s, settled/s:    n/a (pass --db to read them from PostgreSQL)");
}
foreach (var line in report)
{
    Console.WriteLine(line);
}
return stats.Accepted > 0 ? 0 : 1;

static string Percentiles(List<long> ticks)
{
    if (ticks.Count == 0)
    {
        return "n/a";
    }
    ticks.Sort();
    string At(double q) => TimeSpan.FromTicks(ticks[Math.Min(ticks.Count - 1, (int)(q * ticks.Count))]).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
    return $"p50 {At(0.50)}  p90 {At(0.90)}  p99 {At(0.99)}  max {TimeSpan.FromTicks(ticks[^1]).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)}";
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

// What the Worker did with the load: commands processed (settled: their effects committed) and trades in the
// window, then how long it took to work off the backlog left at the end.
static async Task<List<string>> DatabaseFiguresAsync(string connectionString, DateTimeOffset start, DateTimeOffset end, double seconds, CancellationToken ct)
{
    await using var source = NpgsqlDataSource.Create(connectionString);
    async Task<long> CountAsync(string sql, params object[] values)
    {
        await using var command = source.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
    var created = await CountAsync("SELECT count(*) FROM market_commands WHERE created_at >= $1 AND created_at < $2", start, end);
    var settled = await CountAsync("SELECT count(*) FROM market_commands WHERE processed_at >= $1 AND processed_at < $2", start, end);
    var trades = await CountAsync("SELECT count(*) FROM trades WHERE created_at >= $1 AND created_at < $2", start, end);
    // Rows written by one transaction share its timestamp: the API's group commits and the Worker's batches.
    var apiCommits = await CountAsync("SELECT count(DISTINCT created_at) FROM market_commands WHERE created_at >= $1 AND created_at < $2", start, end);
    var apiLargest = await CountAsync("SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM market_commands WHERE created_at >= $1 AND created_at < $2 GROUP BY created_at) g", start, end);
    var workerBatches = await CountAsync("SELECT count(DISTINCT (market_id, processed_at)) FROM market_commands WHERE processed_at >= $1 AND processed_at < $2", start, end);
    var backlog = await CountAsync("SELECT count(*) FROM market_commands WHERE processed_at IS NULL");
    var drain = Stopwatch.StartNew();
    var left = backlog;
    while (left > 0 && drain.Elapsed < TimeSpan.FromMinutes(3))
    {
        await Task.Delay(250, ct);
        left = await CountAsync("SELECT count(*) FROM market_commands WHERE processed_at IS NULL");
    }
    return
    [
        $"commands stored (db):    {created,9}  {created / seconds,9:0.0}/s   (placements + cancels committed by the API)",
        $"settled (db):            {settled,9}  {settled / seconds,9:0.0}/s   (commands processed by the matching hosts, effects committed)",
        $"matched (db):            {trades,9}  {trades / seconds,9:0.0}/s   trades",
        $"API group commits:       {apiCommits,9}  transactions, {(apiCommits == 0 ? 0 : (double)created / apiCommits),5:0.0} commands each on average, {apiLargest} at most",
        $"matching batches:        {workerBatches,9}  transactions, {(workerBatches == 0 ? 0 : (double)settled / workerBatches),5:0.0} commands each on average",
        left == 0
            ? $"backlog at the end:      {backlog,9}  commands, worked off in {drain.Elapsed.TotalSeconds:0.0} s"
            : $"backlog at the end:      {backlog,9}  commands, {left} still unprocessed after {drain.Elapsed.TotalSeconds:0} s",
    ];
}
