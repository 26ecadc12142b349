using Coinage.ApiService.Identity;
using Coinage.ApiService.Search;
using Coinage.ApiService.Trading;
using Coinage.ApiService.Wallet;
using Coinage.Domain.Data;
using Coinage.Domain.Search;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coinage.ApiService.Exports;

/// <summary>
/// The trader's history as CSV: <c>/api/v1/orders/export.csv</c>, <c>/api/v1/fills/export.csv</c> and
/// <c>/api/v1/wallet/ledger/export.csv</c>. Each takes the filters of its list (the same parsing, so the same
/// rows) and streams every matching row of the signed-in user, newest first, read from PostgreSQL (the
/// source of truth, never the search index that may lag) in keyset pages.
/// </summary>
public static class ExportApi
{
    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1").WithTags("Exports").RequireAuthorization()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapGet("/orders/export.csv", OrdersAsync).RequireExportRateLimit()
            .WithSummary("The user's orders as CSV, with the filters of /api/v1/search/orders; newest first")
            .WithDescription("Errors: 400 validation_failed (q, side, status, from, to); 404 unknown_market; 429 rate_limited.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/fills/export.csv", FillsAsync).RequireExportRateLimit()
            .WithSummary("The user's fills (their side of each trade) as CSV, with the filters of /api/v1/search/trades; newest first")
            .WithDescription("Errors: 400 validation_failed (side, liquidity, from, to); 404 unknown_market; 429 rate_limited.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/wallet/ledger/export.csv", LedgerAsync).RequireExportRateLimit()
            .WithSummary("The user's ledger postings as CSV, with the filters of /api/v1/wallet/ledger; newest first")
            .WithDescription("Errors: 400 validation_failed (asset, to); 429 rate_limited.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        return routes;
    }

    public static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> OrdersAsync(
        string? q, string? market, string? side, string[]? status, DateTimeOffset? from, DateTimeOffset? to,
        HttpContext http, CoinageDbContext db, PostgresSearchBackend postgres, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        var errors = new InputErrors();
        var read = await SearchApi.OrderQueryAsync(errors, http, db, q, market, side, status, from, to, cancellationToken).ConfigureAwait(false);
        if (read.Problem is { } problem)
        {
            return problem;
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var query = read.Query! with { Size = CsvExport.PageSize };
        return CsvExport.Stream(http, "orders", async (csv, ct) =>
        {
            csv.WriteHeader(["created_at", "order_id", "client_order_id", "market", "side", "type", "time_in_force", "post_only", "status", "close_reason",
                "price", "trigger_price", "quantity", "quote_amount", "filled_quantity", "filled_quote", "average_price", "fee", "fee_asset", "updated_at",
                "oco_partner_id"]);
            long? before = null;
            do
            {
                var page = await postgres.SearchOrdersAsync(query with { Before = before }, ct).ConfigureAwait(false);
                foreach (var o in page.Items)
                {
                    csv.WriteField(o.CreatedAt, default);
                    csv.WriteField(o.Id);
                    csv.WriteField(o.ClientOrderId);
                    csv.WriteField(o.Market);
                    csv.WriteField(o.Side);
                    csv.WriteField(o.Type);
                    csv.WriteField(o.TimeInForce);
                    csv.WriteField(o.PostOnly);
                    csv.WriteField(o.Status);
                    csv.WriteField(o.CloseReason);
                    csv.Number(o.Price);
                    csv.Number(o.TriggerPrice);
                    csv.Number(o.Quantity);
                    csv.Number(o.QuoteAmount);
                    csv.Number(o.FilledQuantity);
                    csv.Number(o.FilledQuote);
                    csv.Number(o.AveragePrice);
                    csv.Number(o.Fee);
                    csv.WriteField(QuoteAsset(o.Market));
                    csv.WriteField(o.UpdatedAt, default);
                    csv.WriteField(o.OcoPartnerId);
                    await csv.EndRecordAsync(ct).ConfigureAwait(false);
                }
                before = NextCursor(page.NextCursor);
            }
            while (before is not null);
        });
    }

    public static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> FillsAsync(
        string? market, string? side, string? liquidity, DateTimeOffset? from, DateTimeOffset? to,
        HttpContext http, CoinageDbContext db, PostgresSearchBackend postgres, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        var errors = new InputErrors();
        var read = await SearchApi.FillQueryAsync(errors, http, db, market, side, liquidity, from, to, cancellationToken).ConfigureAwait(false);
        if (read.Problem is { } problem)
        {
            return problem;
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var query = read.Query! with { Size = CsvExport.PageSize };
        return CsvExport.Stream(http, "fills", async (csv, ct) =>
        {
            csv.WriteHeader(["created_at", "trade_id", "order_id", "market", "side", "liquidity", "price", "quantity", "quote_amount", "fee", "fee_asset"]);
            long? before = null;
            do
            {
                var page = await postgres.SearchFillsAsync(query with { Before = before }, ct).ConfigureAwait(false);
                foreach (var f in page.Items)
                {
                    csv.WriteField(f.CreatedAt, default);
                    csv.WriteField(f.Id);
                    csv.WriteField(f.OrderId);
                    csv.WriteField(f.Market);
                    csv.WriteField(f.Side);
                    csv.WriteField(f.Liquidity);
                    csv.Number(f.Price);
                    csv.Number(f.Quantity);
                    csv.Number(f.QuoteAmount);
                    csv.Number(f.Fee);
                    csv.WriteField(f.FeeAsset);
                    await csv.EndRecordAsync(ct).ConfigureAwait(false);
                }
                before = NextCursor(page.NextCursor);
            }
            while (before is not null);
        });
    }

    public static async Task<Results<PushStreamHttpResult, ValidationProblem>> LedgerAsync(
        string? asset, DateTimeOffset? from, DateTimeOffset? to, HttpContext http, CoinageDbContext db, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var filter = await WalletApi.LedgerFilterAsync(errors, db, asset, from, to, cancellationToken).ConfigureAwait(false);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var owner = await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false);
        return CsvExport.Stream(http, "ledger", async (csv, ct) =>
        {
            csv.WriteHeader(["created_at", "posting_id", "entry_id", "kind", "reference", "asset", "account", "amount",
                "trade_id", "market", "side", "price", "quantity", "fee", "fee_asset"]);
            if (owner is not { } id)
            {
                return;
            }
            long? after = null;
            while (true)
            {
                var page = await WalletApi.LedgerPageAsync(db, id, filter, after, CsvExport.PageSize, ct).ConfigureAwait(false);
                foreach (var line in page)
                {
                    csv.WriteField(line.CreatedAt, default);
                    csv.WriteField(line.Id);
                    csv.WriteField(line.EntryId);
                    csv.WriteField(line.Kind);
                    csv.WriteField(line.Reference);
                    csv.WriteField(line.Asset);
                    csv.WriteField(line.Account);
                    csv.Number(line.Amount);
                    csv.WriteField(line.Trade?.Id);
                    csv.WriteField(line.Trade?.Market);
                    csv.WriteField(line.Trade?.Side);
                    csv.Number(line.Trade?.Price);
                    csv.Number(line.Trade?.Quantity);
                    // The fee of a trade (in its quote asset) or of a withdrawal (in the withdrawn asset, charged on top of its amount).
                    csv.Number(line.Trade?.Fee ?? line.Withdrawal?.Fee);
                    csv.WriteField(line.Trade?.FeeAsset ?? (line.Withdrawal is null ? null : line.Asset));
                    await csv.EndRecordAsync(ct).ConfigureAwait(false);
                }
                if (page.Count < CsvExport.PageSize)
                {
                    break;
                }
                after = long.Parse(page[^1].Id, System.Globalization.CultureInfo.InvariantCulture);
            }
        });
    }

    private static long? NextCursor(string? cursor) =>
        cursor is null ? null : long.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture);

    private static string QuoteAsset(string market) => market[(market.IndexOf('-', StringComparison.Ordinal) + 1)..];
}
