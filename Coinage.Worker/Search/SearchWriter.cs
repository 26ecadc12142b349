using System.Diagnostics.Metrics;
using Coinage.Domain.Data;
using Coinage.Domain.Search;
using Coinage.Domain.Search.Elasticsearch;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Worker.Search;

/// <summary>
/// Writes documents with bulk requests of at most <see cref="BatchSize"/> operations. Items Elasticsearch
/// rejects for being busy (429, 503) — or a whole request that got no answer — are sent again after a
/// growing pause (0.5 s, 1 s, 2 s, 4 s); any other rejection is a bug in our documents and fails the batch.
/// </summary>
public sealed class SearchWriter(IElasticsearchClient client, TimeProvider clock, SearchTelemetry telemetry)
{
    public const int BatchSize = 500;
    public const int MaxRetries = 4;

    public async Task WriteAsync(IReadOnlyList<BulkOperation> operations, CancellationToken cancellationToken)
    {
        foreach (var chunk in operations.Chunk(BatchSize))
        {
            IReadOnlyList<BulkOperation> pending = chunk;
            for (var attempt = 0; ; attempt++)
            {
                IReadOnlyList<BulkItemResult> failures;
                try
                {
                    failures = (await client.BulkAsync(pending, cancellationToken).ConfigureAwait(false)).Failures;
                }
                catch (ElasticsearchException exception) when (attempt < MaxRetries && (exception.StatusCode is null or 429 or 502 or 503 or 504))
                {
                    await Task.Delay(BackOff(attempt), clock, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (failures.Count == 0)
                {
                    telemetry.Indexed(pending.Count);
                    break;
                }
                if (attempt >= MaxRetries || failures.Any(f => !f.IsTransient))
                {
                    var first = failures.FirstOrDefault(f => !f.IsTransient) ?? failures[0];
                    throw new ElasticsearchException(
                        $"{failures.Count} of {pending.Count} bulk items failed; first: {first.Operation} {first.Index}/{first.Id}: {first.Status} {first.ErrorType}: {first.ErrorReason}",
                        first.Status, first.ErrorType);
                }
                // Responses name the concrete index behind our alias; ids are unique within one call.
                var retry = failures.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
                telemetry.Indexed(pending.Count - retry.Count);
                pending = [.. pending.Where(o => retry.Contains(o.Id))];
                await Task.Delay(BackOff(attempt), clock, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static TimeSpan BackOff(int attempt) => TimeSpan.FromMilliseconds(500 * Math.Pow(2, attempt));

    public static BulkOperation Audit(string index, AuditDocument document) => new BulkOperation.IndexDocument(index, document.DocumentId, document);

    public static BulkOperation Order(string index, OrderDocument document) => new BulkOperation.IndexDocument(index, document.Id, document, document.Version);

    public static BulkOperation Fill(string index, FillDocument document) => new BulkOperation.IndexDocument(index, document.DocumentId, document);
}

/// <summary>Counters of the search pipeline (<c>Coinage.Search</c> meter).</summary>
public sealed class SearchTelemetry : IDisposable
{
    private readonly Meter _meter = new("Coinage.Search");
    private readonly Counter<long> _indexed;
    private readonly Counter<long> _failures;

    public SearchTelemetry()
    {
        _indexed = _meter.CreateCounter<long>("coinage.search.documents_indexed", "{document}", "Documents Elasticsearch acknowledged.");
        _failures = _meter.CreateCounter<long>("coinage.search.indexing_failures", "{failure}", "Indexing runs that failed and will be retried.");
    }

    public void Indexed(long count) => _indexed.Add(count);

    public void Failed(string source) => _failures.Add(1, new KeyValuePair<string, object?>("source", source));

    public void Dispose() => _meter.Dispose();
}

/// <summary>
/// One indexing activity at a time across replicas and the reindex: a session advisory lock, held on
/// the context's open connection while the work runs.
/// </summary>
internal static class SearchLock
{
    /// <summary>"CoinSrch".</summary>
    public const long Key = 0x436F_696E_5372_6368;

    public static async Task<bool> TryAcquireAsync(CoinageDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var acquired = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({Key}) AS \"Value\"").SingleAsync(cancellationToken).ConfigureAwait(false);
        if (!acquired)
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
        return acquired;
    }

    public static async Task AcquireAsync(CoinageDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({Key})", cancellationToken).ConfigureAwait(false);
    }

    public static async Task ReleaseAsync(CoinageDbContext db)
    {
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({Key})", CancellationToken.None).ConfigureAwait(false);
        await db.Database.CloseConnectionAsync().ConfigureAwait(false);
    }
}
