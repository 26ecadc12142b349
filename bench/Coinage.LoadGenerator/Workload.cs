using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Coinage.LoadGenerator;

/// <summary>What the loops saw during the measured window.</summary>
internal sealed class RunStats
{
    public long Accepted { get; set; }
    public long CancelsAccepted { get; set; }

    /// <summary>Cancels answered 409 order_not_open: the order filled first. Expected under load, not an error.</summary>
    public long CancelsTooLate { get; set; }
    public List<long> PlaceLatencies { get; } = [];
    public List<long> CancelLatencies { get; } = [];
    public Dictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    public void Merge(RunStats other)
    {
        Accepted += other.Accepted;
        CancelsAccepted += other.CancelsAccepted;
        CancelsTooLate += other.CancelsTooLate;
        PlaceLatencies.AddRange(other.PlaceLatencies);
        CancelLatencies.AddRange(other.CancelLatencies);
        foreach (var (code, count) in other.Errors)
        {
            Errors[code] = Errors.GetValueOrDefault(code) + count;
        }
    }

    public void Error(string code) => Errors[code] = Errors.GetValueOrDefault(code) + 1;
}

/// <summary>
/// The mixed workload: <see cref="LoadOptions.Concurrency"/> loops, each bound to one trader, each waiting for
/// its answer before the next request (closed loop, so latency is measured honestly). Per operation: a cancel of
/// one of the loop's resting orders (<see cref="LoadOptions.CancelShare"/>), otherwise a placement: a GTC limit
/// order 1–20 ticks behind the mid (it rests), or, for <see cref="LoadOptions.TakerShare"/> of them, an IOC limit
/// 25 ticks through the mid (it trades against the resting ones).
/// </summary>
internal sealed class Workload(HttpClient api, IReadOnlyList<BenchTrader> traders, IReadOnlyList<BenchMarket> markets, LoadOptions options)
{
    // Round figures near where these markets trade; only the grid matters to the engine.
    private static readonly Dictionary<string, decimal> Mids = new(StringComparer.Ordinal)
    {
        ["BTC-USD"] = 65000m, ["ETH-USD"] = 3000m, ["ETH-BTC"] = 0.05m,
    };

    /// <summary>Runs the warm-up, then the measured window; returns the window's statistics and its bounds (UTC).</summary>
    public async Task<(RunStats Stats, DateTimeOffset Start, DateTimeOffset End)> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var measureFrom = options.Warmup;
        var measureTo = options.Warmup + options.Duration;
        var start = DateTimeOffset.UtcNow + options.Warmup;
        var loops = Enumerable.Range(0, options.Concurrency).Select(i => Task.Run(() => LoopAsync(i, clock, measureFrom, measureTo, cancellationToken), cancellationToken)).ToList();
        var stats = new RunStats();
        foreach (var loop in await Task.WhenAll(loops).ConfigureAwait(false))
        {
            stats.Merge(loop);
        }
        return (stats, start, start + options.Duration);
    }

    private async Task<RunStats> LoopAsync(int index, Stopwatch clock, TimeSpan measureFrom, TimeSpan measureTo, CancellationToken cancellationToken)
    {
        var random = new Random(options.Seed + index);
        var trader = traders[index % traders.Count];
        var auth = new AuthenticationHeaderValue("Bearer", trader.AccessToken);
        void Authorize(HttpRequestMessage request, string body)
        {
            if (trader.Key is { } key)
            {
                key.Sign(request, new Uri(api.BaseAddress!, request.RequestUri!).PathAndQuery, body);
            }
            else
            {
                request.Headers.Authorization = auth;
            }
        }
        var open = new List<string>();
        var stats = new RunStats();
        var sequence = 0;
        while (clock.Elapsed < measureTo && !cancellationToken.IsCancellationRequested)
        {
            var began = clock.Elapsed;
            var measured = began >= measureFrom;
            if (open.Count > 0 && random.NextDouble() < options.CancelShare)
            {
                var ids = new List<string>(options.Batch);
                while (ids.Count < options.Batch && open.Count > 0)
                {
                    var pick = random.Next(open.Count);
                    ids.Add(open[pick]);
                    open[pick] = open[^1];
                    open.RemoveAt(open.Count - 1);
                }
                var cancelBody = options.Batch == 1 ? "" : JsonSerializer.Serialize(new { orderIds = ids });
                using var request = options.Batch == 1
                    ? new HttpRequestMessage(HttpMethod.Delete, $"api/v1/orders/{ids[0]}")
                    : Json("api/v1/orders/batch-cancel", cancelBody);
                Authorize(request, cancelBody);
                var answers = await SendAsync(request, readOrder: false, cancellationToken).ConfigureAwait(false);
                if (measured && clock.Elapsed < measureTo)
                {
                    stats.CancelLatencies.Add((clock.Elapsed - began).Ticks);
                    foreach (var (status, code, _) in answers)
                    {
                        if (status == HttpStatusCode.Accepted)
                        {
                            stats.CancelsAccepted++;
                        }
                        else if (code == "409 order_not_open")
                        {
                            stats.CancelsTooLate++;
                        }
                        else
                        {
                            stats.Error(code);
                        }
                    }
                }
                continue;
            }

            var orders = new List<string>(options.Batch);
            var takers = new List<bool>(options.Batch);
            for (var i = 0; i < options.Batch; i++)
            {
                var taker = random.NextDouble() < options.TakerShare;
                takers.Add(taker);
                orders.Add(PlacementJson(markets[random.Next(markets.Count)], taker, buy: random.Next(2) == 0, random, $"l{index}-{++sequence}"));
            }
            var placeBody = options.Batch == 1 ? orders[0] : $$"""{"orders":[{{string.Join(',', orders)}}]}""";
            using (var request = Json(options.Batch == 1 ? "api/v1/orders" : "api/v1/orders/batch", placeBody))
            {
                Authorize(request, placeBody);
                // A single taker's id is never needed (it does not rest): its answer is not parsed, as before batches.
                var answers = await SendAsync(request, readOrder: options.Batch > 1 || !takers[0], cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < answers.Count; i++)
                {
                    if (answers[i].Status == HttpStatusCode.Created && answers[i].OrderId is { } orderId && !takers[i])
                    {
                        open.Add(orderId);
                    }
                }
                if (measured && clock.Elapsed < measureTo)
                {
                    stats.PlaceLatencies.Add((clock.Elapsed - began).Ticks);
                    foreach (var (status, code, _) in answers)
                    {
                        if (status == HttpStatusCode.Created)
                        {
                            stats.Accepted++;
                        }
                        else
                        {
                            stats.Error(code);
                        }
                    }
                }
            }
        }
        return stats;
    }

    /// <summary>A GTC limit order 1–20 ticks behind the mid (it rests), or an IOC limit 25 ticks through it (it trades).</summary>
    private static string PlacementJson(BenchMarket market, bool taker, bool buy, Random random, string clientOrderId)
    {
        var mid = Mids.GetValueOrDefault(market.Symbol, 10_000 * market.TickSize);
        var ticks = taker ? -25 : random.Next(1, 21);
        var price = buy ? mid - ticks * market.TickSize : mid + ticks * market.TickSize;
        var quantity = random.Next(1, taker ? 4 : 6) * MinLots(market, mid) * market.LotSize;
        return string.Create(CultureInfo.InvariantCulture,
            $$"""{"market":"{{market.Symbol}}","side":"{{(buy ? "buy" : "sell")}}","type":"limit","timeInForce":"{{(taker ? "IOC" : "GTC")}}","price":"{{price}}","quantity":"{{quantity}}","clientOrderId":"{{clientOrderId}}"}""");
    }

    private static HttpRequestMessage Json(string path, string body) =>
        new(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    /// <summary>The fewest lots that meet the market's minimum size and twice its minimum value at <paramref name="mid"/>.</summary>
    private static int MinLots(BenchMarket market, decimal mid) =>
        (int)Math.Max(Math.Ceiling(market.MinQuantity / market.LotSize), Math.Ceiling(2 * market.MinNotional / (market.LotSize * mid)));

    /// <summary>One answer per order of the request: the single-order endpoints' own, or each item of a batch's results.</summary>
    private async Task<List<(HttpStatusCode Status, string Code, string? OrderId)>> SendAsync(HttpRequestMessage request, bool readOrder, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await api.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = response.StatusCode;
            var success = status is HttpStatusCode.Created or HttpStatusCode.Accepted or HttpStatusCode.OK;
            if (success && !readOrder && options.Batch == 1)
            {
                return [(status, "", null)]; // the load generator's own CPU is on the measured machine: parse only what is used
            }
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            using var body = text.Length > 0 && text[0] == '{' ? JsonDocument.Parse(text) : null;
            if (options.Batch > 1 && status == HttpStatusCode.OK && body is not null)
            {
                return body.RootElement.GetProperty("results").EnumerateArray()
                    .Select(item => Answer((HttpStatusCode)item.GetProperty("status").GetInt32(),
                        item.TryGetProperty("order", out var order) && order.ValueKind == JsonValueKind.Object ? order : null,
                        item.TryGetProperty("problem", out var problem) && problem.ValueKind == JsonValueKind.Object ? problem : null, readOrder))
                    .ToList();
            }
            return [Answer(status, success ? body?.RootElement : null, success ? null : body?.RootElement, readOrder)];
        }
        catch (HttpRequestException ex)
        {
            return [(0, $"transport {ex.HttpRequestError}", null)];
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return [(0, "timeout", null)];
        }
    }

    private static (HttpStatusCode Status, string Code, string? OrderId) Answer(HttpStatusCode status, JsonElement? order, JsonElement? problem, bool readOrder)
    {
        if (order is { } o)
        {
            return (status, "", readOrder ? o.GetProperty("id").GetString() : null);
        }
        var code = problem is { } p && p.TryGetProperty("code", out var c) && c.GetString() is { } named ? $"{(int)status} {named}" : $"http_{(int)status}";
        return (status, code, null);
    }
}
