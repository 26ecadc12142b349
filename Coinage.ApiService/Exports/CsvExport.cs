using System.Globalization;
using CsvHelper;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coinage.ApiService.Exports;

/// <summary>
/// A CSV download streamed to the client page by page: memory stays flat whatever the row count,
/// because rows are written as they are read and the writer flushes its buffer as it fills. RFC 4180
/// quoting and the formula guard come from CsvHelper; numbers are written as numbers, so a negative
/// amount is never escaped, while any text (ids, client order ids, reasons) that starts with
/// <c>= + - @</c>, a tab or a CR is prefixed with <c>'</c> so a spreadsheet shows it as text.
/// </summary>
public static class CsvExport
{
    /// <summary>Rows read from PostgreSQL per round trip while streaming.</summary>
    public const int PageSize = 500;

    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { Injection = CsvInjection.Escape };

    /// <summary>The download: validation already passed, so from here on only the rows can follow.</summary>
    public static PushStreamHttpResult Stream(HttpContext http, string name, Func<CsvWriter, CancellationToken, Task> write)
    {
        ArgumentNullException.ThrowIfNull(http);
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        return TypedResults.Stream(async body =>
        {
            await using var csv = CsvWriter.Create(body, Options, leaveOpen: true);
            await write(csv, http.RequestAborted).ConfigureAwait(false);
            await csv.FlushAsync(http.RequestAborted).ConfigureAwait(false);
        }, "text/csv; charset=utf-8", $"coinage-{name}-{stamp}.csv");
    }

    /// <summary>A decimal string of the API (invariant, plain) written as a number; empty when absent.</summary>
    public static void Number(this CsvWriter csv, string? value)
    {
        ArgumentNullException.ThrowIfNull(csv);
        if (value is null)
        {
            csv.WriteField((string?)null);
            return;
        }
        csv.WriteField(decimal.Parse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture), default);
    }

    /// <summary>Exports are heavy reads: a few a minute per user, shared by every replica.</summary>
    public static RouteHandlerBuilder RequireExportRateLimit(this RouteHandlerBuilder builder) =>
        builder.RequireRedisRateLimit(RateLimitPolicies.ExportPerUser, c => c.HttpContext.User.UserId().ToString("N"));
}
