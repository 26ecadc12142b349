using System.Globalization;
using System.Text.Json;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Trading;
using Coinage.Domain.Data;
using Coinage.Domain.Reconciliation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Admin;

/// <param name="Status"><c>succeeded</c>, <c>failed</c> (discrepancies found) or <c>error</c> (the run could not complete).</param>
/// <param name="Counts">Rows looked at per table: <c>{ accounts, postings, journalEntries, orders, trades, commands, deposits }</c>.</param>
/// <param name="Discrepancies"><c>[{ check, kind, subject, expected, actual }]</c>, the first few hundred.</param>
public sealed record ReconciliationRunResponse(
    string Id, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string Status, string Instance, int DiscrepancyCount,
    JsonElement Counts, JsonElement Discrepancies, string? Error);

/// <param name="Latest">The newest run, whatever the page; null before the first run.</param>
/// <param name="LastSuccessAt">When the newest successful run finished.</param>
/// <param name="Items">Runs, newest first, cursor-paginated.</param>
public sealed record ReconciliationOverview(
    ReconciliationRunResponse? Latest, DateTimeOffset? LastSuccessAt, IReadOnlyList<ReconciliationRunResponse> Items, string? NextCursor);

/// <summary>
/// <c>/api/v1/admin/reconciliation</c> (Admin): the Worker's reconciliation runs (docs/exchange.md,
/// "Reconciliation"). Read-only: the runs are written by the Worker's job.
/// </summary>
public static class ReconciliationApi
{
    public static IEndpointRouteBuilder MapReconciliationApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/admin/reconciliation").WithTags("Administration")
            .RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapGet("", ListAsync)
            .WithSummary("The latest reconciliation run, the last success and the run history (newest first; cursor-paginated)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    public static async Task<Results<Ok<ReconciliationOverview>, ProblemHttpResult>> ListAsync(
        string? cursor, int? limit, CoinageDbContext db, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var problem))
        {
            return problem!;
        }
        var runs = db.ReconciliationRuns.AsNoTracking();
        var rows = await runs.Where(r => after == null || r.Id < after).OrderByDescending(r => r.Id).Take(take + 1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var latest = after is null ? rows.FirstOrDefault()
            : await runs.OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var lastSuccess = await runs.Where(r => r.Status == ReconciliationStatus.Succeeded).OrderByDescending(r => r.Id)
            .Select(r => (DateTimeOffset?)r.FinishedAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var items = rows.Take(take).Select(ToResponse).ToList();
        return TypedResults.Ok(new ReconciliationOverview(
            latest is null ? null : ToResponse(latest), lastSuccess, items, rows.Count > take ? items[^1].Id : null));
    }

    private static ReconciliationRunResponse ToResponse(ReconciliationRun run) => new(
        run.Id.ToString(CultureInfo.InvariantCulture), run.StartedAt, run.FinishedAt, run.Status.Name(), run.Instance, run.DiscrepancyCount,
        Parse(run.Counts), Parse(run.Discrepancies), run.Error);

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
