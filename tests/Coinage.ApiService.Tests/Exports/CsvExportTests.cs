using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Coinage.ApiService.Tests.Trading;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Exports;

/// <summary>
/// The CSV exports against real orders matched by the Worker's matching host: the filters of the lists, only the
/// caller's rows, RFC 4180 quoting, and text that a spreadsheet would run as a formula turned into text.
/// </summary>
public sealed class CsvExportTests(InfrastructureFixture infrastructure)
{
    private const string Formula = "=HYPERLINK(\"http://evil.example\",\"click, here\")";

    [Fact]
    public async Task Exports_hold_the_callers_rows_with_the_filters_of_their_lists_quoted_and_guarded_against_formulas()
    {
        // A database of its own: other tests' resting orders would otherwise take part in the match.
        var db = await infrastructure.CreateDatabaseAsync("export");
        await using var api = new ApiFactory(db, infrastructure.RedisConnectionString);
        _ = api.Services;
        await using var worker = new MatchingWorkerFactory(db, infrastructure.RedisConnectionString);
        _ = worker.Services;
        var maker = await Trader.CreateAsync(api, db, "export-maker");
        var taker = await Trader.CreateAsync(api, db, "export-taker");
        var bystander = await Trader.CreateAsync(api, db, "export-none");
        await maker.DepositAsync("ETH", "3");
        await taker.DepositAsync("BTC", "1");
        var sold = await maker.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "limit", price = "0.05", quantity = "1", clientOrderId = Formula });
        await ExchangeDatabase.WaitProcessedAsync(db);
        var resting = await maker.PlaceAsync(new { market = "ETH-BTC", side = "sell", type = "limit", price = "0.09", quantity = "1", clientOrderId = "@SUM(1+1)" });
        await ExchangeDatabase.WaitProcessedAsync(db);
        var bought = await taker.PlaceAsync(new { market = "ETH-BTC", side = "buy", type = "limit", price = "0.05", quantity = "1", clientOrderId = "-2+3" });
        await ExchangeDatabase.WaitProcessedAsync(db);

        var (headers, orders) = await ExportAsync(maker, "/api/v1/orders/export.csv");
        Assert.Equal("text/csv", headers.ContentType?.MediaType);
        Assert.Equal("attachment", headers.ContentDisposition?.DispositionType);
        Assert.StartsWith("coinage-orders-", headers.ContentDisposition?.FileNameStar ?? headers.ContentDisposition?.FileName, StringComparison.Ordinal);
        Assert.Equal(
            ["created_at", "order_id", "client_order_id", "market", "side", "type", "time_in_force", "post_only", "status", "close_reason",
             "price", "trigger_price", "quantity", "quote_amount", "filled_quantity", "filled_quote", "average_price", "fee", "fee_asset", "updated_at",
             "oco_partner_id"],
            orders.Rows[0]);
        // Newest first; the maker's two orders and never the taker's.
        Assert.Equal([Id(resting), Id(sold)], orders.Rows.Skip(1).Select(r => r[1]));
        var filled = orders.Rows[2];
        Assert.Equal(("'" + Formula, "ETH-BTC", "sell", "filled", "0.05", "", "1", "0.05", ""),
            (filled[2], filled[3], filled[4], filled[8], filled[10], filled[11], filled[12], filled[16], filled[20]));
        Assert.Equal("'@SUM(1+1)", orders.Rows[1][2]);
        // RFC 4180: the cell with quotes and a comma is quoted, its quotes doubled, behind the guard's apostrophe.
        Assert.Contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click, here\"\")\",ETH-BTC,", orders.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(",=", orders.Text, StringComparison.Ordinal);

        // The list's filters: status, side, market, dates.
        Assert.Equal([Id(sold)], (await ExportAsync(maker, "/api/v1/orders/export.csv?status=filled&market=eth-btc")).Csv.Rows.Skip(1).Select(r => r[1]));
        Assert.Single((await ExportAsync(maker, "/api/v1/orders/export.csv?side=buy")).Csv.Rows);
        Assert.Single((await ExportAsync(maker, $"/api/v1/orders/export.csv?to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O"))}")).Csv.Rows);
        var takerOrders = (await ExportAsync(taker, "/api/v1/orders/export.csv")).Csv.Rows;
        Assert.Equal([Id(bought)], takerOrders.Skip(1).Select(r => r[1]));
        Assert.Equal("'-2+3", takerOrders[1][2]);
        Assert.Single((await ExportAsync(bystander, "/api/v1/orders/export.csv")).Csv.Rows);

        var makerFills = (await ExportAsync(maker, "/api/v1/fills/export.csv")).Csv.Rows;
        Assert.Equal(["created_at", "trade_id", "order_id", "market", "side", "liquidity", "price", "quantity", "quote_amount", "fee", "fee_asset"], makerFills[0]);
        var fill = Assert.Single(makerFills.Skip(1));
        // ETH-BTC's maker fee is 10 bps of the 0.05 BTC.
        Assert.Equal((Id(sold), "ETH-BTC", "sell", "maker", "0.05", "1", "0.05", "0.00005", "BTC"),
            (fill[2], fill[3], fill[4], fill[5], fill[6], fill[7], fill[8], fill[9], fill[10]));
        Assert.Single((await ExportAsync(maker, "/api/v1/fills/export.csv?liquidity=taker")).Csv.Rows);
        var takerFill = Assert.Single((await ExportAsync(taker, "/api/v1/fills/export.csv?side=buy")).Csv.Rows.Skip(1));
        Assert.Equal((fill[1], Id(bought), "taker"), (takerFill[1], takerFill[2], takerFill[5]));
        Assert.Single((await ExportAsync(bystander, "/api/v1/fills/export.csv")).Csv.Rows);

        var (_, ledger) = await ExportAsync(maker, "/api/v1/wallet/ledger/export.csv?asset=eth");
        Assert.All(ledger.Rows.Skip(1), r => Assert.Equal("ETH", r[5]));
        // Deposit 3, two holds of 1 each (available and held), the sale of 1 out of held.
        Assert.Equal(["deposit", "order_hold", "order_hold", "order_hold", "order_hold", "trade"], ledger.Rows.Skip(1).Select(r => r[3]).Order(StringComparer.Ordinal));
        var sale = Assert.Single(ledger.Rows.Skip(1), r => r[3] == "trade");
        // A negative amount is a number, not a formula: it is written as it is.
        Assert.Equal(("held", "-1", fill[1], "ETH-BTC", "sell", "0.05", "1", "BTC"), (sale[6], sale[7], sale[8], sale[9], sale[10], sale[11], sale[12], sale[14]));
        Assert.Contains(",held,-1,", ledger.Text, StringComparison.Ordinal);
        var ledgerAll = (await ExportAsync(maker, "/api/v1/wallet/ledger/export.csv")).Csv.Rows;
        Assert.Contains(ledgerAll, r => r[5] == "BTC" && r[3] == "trade" && r[7] == "0.04995" && r[13] == "0.00005");
        Assert.Single((await ExportAsync(bystander, "/api/v1/wallet/ledger/export.csv")).Csv.Rows);

        // The ledger list has the same filters and reads a settlement as the trade it belongs to.
        var btc = await maker.GetAsync("/api/v1/wallet/ledger?asset=BTC");
        var received = Assert.Single(btc.GetProperty("items").EnumerateArray());
        var trade = received.GetProperty("trade");
        Assert.Equal(("trade", "0.04995", "sell", "ETH-BTC", "ETH", "BTC", "0.05", "1", "0.00005"),
            (received.GetProperty("kind").GetString(), received.GetProperty("amount").GetString(), trade.GetProperty("side").GetString(),
             trade.GetProperty("market").GetString(), trade.GetProperty("baseAsset").GetString(), trade.GetProperty("quoteAsset").GetString(),
             trade.GetProperty("price").GetString(), trade.GetProperty("quantity").GetString(), trade.GetProperty("fee").GetString()));
        var takerTrade = (await taker.GetAsync("/api/v1/wallet/ledger?asset=ETH")).GetProperty("items")[0].GetProperty("trade");
        Assert.Equal(("buy", "0.0001"), (takerTrade.GetProperty("side").GetString(), takerTrade.GetProperty("fee").GetString()));

        // A one-cancels-the-other pair: each leg names the other; the stop leg has its trigger price, the limit leg none.
        var pair = await JsonAsync(await maker.Http.PostAsJsonAsync("/api/v1/orders/oco",
            new { market = "ETH-BTC", side = "sell", quantity = "1", price = "0.1", triggerPrice = "0.04", stopPrice = "0.039" }, Ct));
        var (limitLeg, stopLeg) = (Id(pair.GetProperty("limit")), Id(pair.GetProperty("stop")));
        await ExchangeDatabase.WaitProcessedAsync(db);
        var legs = (await ExportAsync(maker, "/api/v1/orders/export.csv?status=open&status=untriggered")).Csv.Rows.Skip(1).ToList();
        var stopRow = Assert.Single(legs, r => r[1] == stopLeg);
        var limitRow = Assert.Single(legs, r => r[1] == limitLeg);
        Assert.Equal(("stop_limit", "untriggered", "0.039", "0.04", limitLeg), (stopRow[5], stopRow[8], stopRow[10], stopRow[11], stopRow[20]));
        Assert.Equal(("limit", "open", "0.1", "", stopLeg), (limitRow[5], limitRow[8], limitRow[10], limitRow[11], limitRow[20]));
    }

    [Theory]
    [InlineData("/api/v1/orders/export.csv?status=done", HttpStatusCode.BadRequest, "status")]
    [InlineData("/api/v1/orders/export.csv?side=up", HttpStatusCode.BadRequest, "side")]
    [InlineData("/api/v1/orders/export.csv?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", HttpStatusCode.BadRequest, "to")]
    [InlineData("/api/v1/fills/export.csv?liquidity=both", HttpStatusCode.BadRequest, "liquidity")]
    [InlineData("/api/v1/wallet/ledger/export.csv?asset=NOPE", HttpStatusCode.BadRequest, "asset")]
    [InlineData("/api/v1/wallet/ledger?asset=NOPE", HttpStatusCode.BadRequest, "asset")]
    [InlineData("/api/v1/wallet/ledger?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", HttpStatusCode.BadRequest, "to")]
    [InlineData("/api/v1/orders/export.csv?market=DOGE-USD", HttpStatusCode.NotFound, null)]
    [InlineData("/api/v1/fills/export.csv?market=DOGE-USD", HttpStatusCode.NotFound, null)]
    public async Task Bad_export_filters_are_problems_with_the_field_never_a_partial_file(string path, HttpStatusCode status, string? field)
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, infrastructure.PostgresConnectionString, "export-bad");
        using var response = await trader.Http.GetAsync(new Uri(path, UriKind.Relative), Ct);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await JsonAsync(response);
        if (field is not null)
        {
            Assert.Equal("validation_failed", body.GetProperty("code").GetString());
            Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), body.ToString());
        }
        else
        {
            Assert.Equal("unknown_market", body.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task Exports_are_rate_limited_per_user_and_anonymous_callers_get_401()
    {
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Coinage:RateLimits:Policies:export-user:Limit"] = "2",
            ["Coinage:RateLimits:Policies:export-user:Window"] = "00:05:00",
        });
        var trader = await Trader.CreateAsync(api, infrastructure.PostgresConnectionString, "export-limit");
        var other = await Trader.CreateAsync(api, infrastructure.PostgresConnectionString, "export-limit2");
        await ExportAsync(trader, "/api/v1/orders/export.csv");
        await ExportAsync(trader, "/api/v1/wallet/ledger/export.csv");
        using var refused = await trader.Http.GetAsync(new Uri("/api/v1/fills/export.csv", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("rate_limited", (await JsonAsync(refused)).GetProperty("code").GetString());
        Assert.NotNull(refused.Headers.RetryAfter);
        // Another user's budget is their own.
        await ExportAsync(other, "/api/v1/fills/export.csv");
        using var anonymous = await api.CreateClient().GetAsync(new Uri("/api/v1/orders/export.csv", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private static string Id(JsonElement order) => order.GetProperty("id").GetString()!;

    private static async Task<(System.Net.Http.Headers.HttpContentHeaders Headers, Csv Csv)> ExportAsync(Trader trader, string path)
    {
        using var response = await trader.Http.GetAsync(new Uri(path, UriKind.Relative), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {text}");
        return (response.Content.Headers, new Csv(text, Parse(text)));
    }

    private sealed record Csv(string Text, List<string[]> Rows);

    /// <summary>An RFC 4180 reader (quoted fields, doubled quotes, CRLF), to read back what the export wrote.</summary>
    private static List<string[]> Parse(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
                i++;
            }
            else
            {
                field.Append(c);
            }
        }
        Assert.True(row.Count == 0 && field.Length == 0, "The export ends with CRLF.");
        return rows;
    }
}
