using Coinage.ApiService.Identity;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Audit;

public sealed record AuditEntryResponse(string Sequence, DateTimeOffset OccurredAt, string Action, string? ActorUserId, string? SubjectUserId, string? IpAddress, string Data, string Hash);

public sealed record AuditPage(IReadOnlyList<AuditEntryResponse> Items, string? NextCursor);

/// <summary><c>/api/v1/audit</c>: the audit log for Compliance and Admin, and a verification of its hash chain.</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var audit = routes.MapGroup("/api/v1/audit").WithTags("Audit")
            .RequireAuthorization(Policies.Compliance)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        audit.MapGet("", ListAsync)
            .WithSummary("Audit entries, newest first, filtered by action, user and time; cursor-paginated")
            .ProducesValidationProblem();
        audit.MapGet("/verify", VerifyAsync)
            .WithSummary("Verify the hash chain; reports the first broken link");
        return routes;
    }

    public static async Task<Results<Ok<AuditPage>, ValidationProblem>> ListAsync(
        string? action, string? userId, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int? limit,
        CoinageDbContext db, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var actionFilter = errors.Text("action", action, 64, required: false);
        Guid? user = userId is null ? null : errors.Id("userId", userId);
        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence))
            {
                before = sequence;
            }
            else
            {
                errors.Add("cursor", "Not a valid cursor.");
            }
        }
        var take = limit ?? 100;
        if (take is < 1 or > 500)
        {
            errors.Add("limit", "Between 1 and 500.");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var query = db.AuditEntries.AsNoTracking();
        if (actionFilter is not null)
        {
            query = query.Where(e => e.Action == actionFilter);
        }
        if (user is { } id)
        {
            query = query.Where(e => e.SubjectUserId == id || e.ActorUserId == id);
        }
        if (from is { } f)
        {
            var fromUtc = f.ToUniversalTime();
            query = query.Where(e => e.OccurredAt >= fromUtc);
        }
        if (to is { } t)
        {
            var toUtc = t.ToUniversalTime();
            query = query.Where(e => e.OccurredAt < toUtc);
        }
        if (before is { } b)
        {
            query = query.Where(e => e.Sequence < b);
        }
        var rows = await query.OrderByDescending(e => e.Sequence).Take(take + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var page = rows.Take(take).Select(e => new AuditEntryResponse(
            e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), e.OccurredAt, e.Action, e.ActorUserId?.ToString(), e.SubjectUserId?.ToString(),
            e.IpAddress, e.Data, e.Hash)).ToList();
        return TypedResults.Ok(new AuditPage(page, rows.Count > take ? page[^1].Sequence : null));
    }

    public static async Task<Ok<AuditChainReport>> VerifyAsync(CoinageDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await AuditLog.VerifyAsync(db, cancellationToken).ConfigureAwait(false));
}
