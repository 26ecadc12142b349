using System.Diagnostics.Metrics;
using Coinage.Domain.Data;
using Coinage.Domain.Search;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Core.Bulk;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Worker.Search;

/// <summary>
/// Writes documents with bulk requests of at most <see cref="BatchSize"/> operations. Items Elasticsearch
/// rejects for being busy (429, 503) — or a whole request that got no answer — are sent again after a
/// growing pause (0.5 s, 1 s, 2 s, 4 s); any other rejection is a bug in our documents and fails the batch.
/// A version conflict (a newer version of the order is stored) and a delete of a missing document are
/// the outcomes we wanted, not failures.
/// </summary>
public sealed class SearchWriter(ElasticsearchClient client, TimeProvider clock, SearchTelemetry telemetry)
{
    public const int BatchSize = 500;
    public const int MaxRetries = 4;

    public async Task WriteAsync(IReadOnlyList<IBulkOperation> operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var chunk in operations.Chunk(BatchSize))
        {
            IReadOnlyList<IBulkOperation> pending = chunk;
            for (var attempt = 0; ; attempt++)
            {
                List<(IBulkOperation Operation, ResponseItem Item)> failures;
                try
                {
                    var request = new BulkRequest { Operations = [.. pending] };
                    var response = (await client.BulkAsync(request, cancellationToken).ConfigureAwait(false)).Ensure("bulk");
                    // Items answer the operations in order (the response names the concrete index behind our alias).
                    failures = [.. pending.Zip(response.Items).Where(p => IsFailure(p.Second))];
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
                if (attempt >= MaxRetries || failures.Any(f => !IsTransient(f.Item)))
                {
                    var first = failures.FirstOrDefault(f => !IsTransient(f.Item)).Item ?? failures[0].Item;
                    throw new ElasticsearchException(
                        $"{failures.Count} of {pending.Count} bulk items failed; first: {first.Operation} {first.Index}/{first.Id}: {first.Status} {first.Error?.Type}: {first.Error?.Reason}",
                        first.Status, first.Error?.Type);
                }
                telemetry.Indexed(pending.Count - failures.Count);
                pending = [.. failures.Select(f => f.Operation)];
                await Task.Delay(BackOff(attempt), clock, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static TimeSpan BackOff(int attempt) => TimeSpan.FromMilliseconds(500 * Math.Pow(2, attempt));

    internal static bool IsFailure(ResponseItem item) => item.Status >= 300 && item.Status != 409 && !(item.Operation == "delete" && item.Status == 404);

    /// <summary>Worth trying again: the cluster was busy or a shard unavailable.</summary>
    internal static bool IsTransient(ResponseItem item) => item.Status is 429 or 502 or 503 or 504;

    public static IBulkOperation Audit(string index, AuditDocument document) =>
        new BulkIndexOperation<AuditDocument>(document, index) { Id = document.DocumentId };

    /// <summary>Orders change: with the external version an older state never overwrites a newer one, whatever order the updates arrive in.</summary>
    public static IBulkOperation Order(string index, OrderDocument document) =>
        new BulkIndexOperation<OrderDocument>(document, index) { Id = document.Id, Version = document.Version, VersionType = VersionType.ExternalGte };

    public static IBulkOperation Fill(string index, FillDocument document) =>
        new BulkIndexOperation<FillDocument>(document, index) { Id = document.DocumentId };
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
