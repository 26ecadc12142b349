using System.Globalization;
using System.Text.Json;
using Coinage.Domain.Data;
using Coinage.Domain.Outbox;
using Coinage.Domain.Search;
using Coinage.Worker.Hangfire;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.QueryDsl;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Worker.Search;

/// <summary>
/// Every ~5 s, keeps the search indices up to date from PostgreSQL:
/// <list type="number">
/// <item>records <c>privacy.user_erased</c> outbox rows as <see cref="SearchErasure"/>s (always, with or without Elasticsearch: the PostgreSQL fallback honours them too);</item>
/// <item>with Elasticsearch: builds the indices if they do not exist (a full <see cref="SearchReindexer"/> run), then deletes or pseudonymises the documents of erased users not yet cleaned;</item>
/// <item>indexes the audit log after its checkpoint, advancing the checkpoint only once Elasticsearch acknowledged;</item>
/// <item>indexes the orders and fills named by <c>exchange.orders_updated</c> outbox rows, marking a row processed in the transaction that holds it after the bulk succeeded.</item>
/// </list>
/// Documents have the entities' ids, so a replay after a crash rewrites the same documents. Without
/// Elasticsearch nothing but step 1 runs, and the outbox rows wait: indexing catches up when a server is configured.
/// </summary>
public sealed partial class SearchIndexer(
    CoinageDbContext db, SearchSource source, SearchReindexer reindexer, TimeProvider clock, SearchTelemetry telemetry,
    ElasticsearchBreaker breaker, ILogger<SearchIndexer> logger, ElasticsearchClient? client = null, SearchWriter? writer = null)
{
    public const string RecurringJobId = "search-index";
    public const string AuditCheckpoint = "audit";
    public const string OrdersUpdatedType = "exchange.orders_updated";
    public const string UserErasedType = "privacy.user_erased";

    /// <summary>Bounds one run, so a large backlog is worked off over several runs rather than in one long one.</summary>
    public const int MaxBatchesPerRun = 20;
    public const int OutboxBatchSize = 100;

    /// <summary>Orders and fills belong to one user each: an erasure deletes them (audit documents are pseudonymised instead).</summary>
    private static readonly string[] ErasedByDeletion = [SearchIndices.Orders.Alias, SearchIndices.Fills.Alias];

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 30)]
    public async Task<SearchIndexerRun> RunAsync(CancellationToken cancellationToken)
    {
        var erasures = await RecordErasuresAsync(cancellationToken).ConfigureAwait(false);
        // The AppHost passes a connection string even while its optional server is not running: an
        // unreachable server is probed once per breaker period, without touching any outbox row.
        if (client is null || writer is null || !breaker.IsClosed(clock.GetUtcNow()))
        {
            return new SearchIndexerRun(erasures, 0, 0, Idle: true);
        }
        try
        {
            (await client.Cluster.HealthAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Ensure("cluster.health");
        }
        catch (ElasticsearchException exception)
        {
            breaker.Open(clock.GetUtcNow());
            LogUnavailable(logger, exception.Message);
            return new SearchIndexerRun(erasures, 0, 0, Idle: true);
        }
        if (!await SearchLock.TryAcquireAsync(db, cancellationToken).ConfigureAwait(false))
        {
            return new SearchIndexerRun(erasures, 0, 0, Idle: true); // a reindex is running
        }
        try
        {
            if (await reindexer.MissingAliasesAsync(cancellationToken).ConfigureAwait(false))
            {
                await reindexer.RebuildLockedAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await reindexer.EnsureMappingsAsync(cancellationToken).ConfigureAwait(false);
            }
            await CleanErasedAsync(cancellationToken).ConfigureAwait(false);
            var audit = await IndexAuditAsync(cancellationToken).ConfigureAwait(false);
            var orders = await IndexOrdersAsync(cancellationToken).ConfigureAwait(false);
            return new SearchIndexerRun(erasures, audit, orders, Idle: false);
        }
        catch (ElasticsearchException exception)
        {
            telemetry.Failed("run");
            breaker.Open(clock.GetUtcNow());
            LogRunFailed(logger, exception.Message);
            throw;
        }
        finally
        {
            await SearchLock.ReleaseAsync(db).ConfigureAwait(false);
        }
    }

    /// <summary>Turns <c>privacy.user_erased</c> rows into erasure records, in one transaction with their processed mark.</summary>
    internal async Task<int> RecordErasuresAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var due = await DueAsync(UserErasedType, now, cancellationToken).ConfigureAwait(false);
        foreach (var message in due)
        {
            if (!TryParseErasure(message.Payload, out var userId, out var pseudonym))
            {
                message.RecordFailure("The payload is not { \"userId\": \"<guid>\", \"pseudonym\": \"<1–64 characters>\" }.", now);
                continue;
            }
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO search_erasures (user_id, pseudonym, erased_at) VALUES ({userId}, {pseudonym}, {now})
                ON CONFLICT (user_id) DO NOTHING
                """, cancellationToken).ConfigureAwait(false);
            message.ProcessedAt = now;
            message.LastError = null;
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return due.Count(m => m.ProcessedAt is not null);
    }

    /// <summary>Erased users' orders and fills are deleted; their audit documents are rewritten pseudonymised from the log.</summary>
    private async Task CleanErasedAsync(CancellationToken cancellationToken)
    {
        var pending = await db.SearchErasures.Where(e => e.IndexCleanedAt == null).OrderBy(e => e.ErasedAt).Take(50)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (pending.Count == 0)
        {
            return;
        }
        var erased = await source.ErasuresAsync(cancellationToken).ConfigureAwait(false);
        foreach (var erasure in pending)
        {
            var user = erasure.UserId.ToString("D");
            foreach (var alias in ErasedByDeletion)
            {
                var deleted = (await client!.DeleteByQueryAsync(new DeleteByQueryRequest(alias)
                {
                    Query = new TermQuery("userId", user),
                    // A document written meanwhile is the user's too: skip the conflict, the next run's query finds it.
                    Conflicts = Conflicts.Proceed,
                    Refresh = true,
                }, cancellationToken).ConfigureAwait(false)).Ensure("delete_by_query");
                if (deleted.Failures is { Count: > 0 } failures)
                {
                    throw new ElasticsearchException($"delete_by_query on {alias} had {failures.Count} failures: {failures.First().Cause.Reason}", null, failures.First().Cause.Type);
                }
            }
            var entries = await db.AuditEntries.AsNoTracking()
                .Where(e => e.ActorUserId == erasure.UserId || e.SubjectUserId == erasure.UserId)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            await writer!.WriteAsync([.. entries.Select(e => SearchWriter.Audit(SearchIndices.Audit.Alias, SearchDocumentFactory.Audit(e, erased)))], cancellationToken)
                .ConfigureAwait(false);
            erasure.IndexCleanedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> IndexAuditAsync(CancellationToken cancellationToken)
    {
        var index = (await reindexer.AliasIndicesAsync(SearchIndices.Audit.Alias, cancellationToken).ConfigureAwait(false)).Single();
        var checkpoint = await db.SearchCheckpoints.FirstOrDefaultAsync(c => c.Name == AuditCheckpoint, cancellationToken).ConfigureAwait(false);
        if (checkpoint is null)
        {
            checkpoint = new SearchCheckpoint { Name = AuditCheckpoint, Index = index };
            db.SearchCheckpoints.Add(checkpoint);
        }
        if (checkpoint.Index != index)
        {
            // The index was replaced by something other than our reindex: its position means nothing there.
            checkpoint.Index = index;
            checkpoint.Position = 0;
        }
        var total = 0;
        for (var batch = 0; batch < MaxBatchesPerRun; batch++)
        {
            var documents = await source.AuditAfterAsync(checkpoint.Position, SearchWriter.BatchSize, cancellationToken).ConfigureAwait(false);
            if (documents.Count == 0)
            {
                break;
            }
            await writer!.WriteAsync([.. documents.Select(d => SearchWriter.Audit(index, d))], cancellationToken).ConfigureAwait(false);
            checkpoint.Position = documents[^1].Sequence;
            checkpoint.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            total += documents.Count;
            if (documents.Count < SearchWriter.BatchSize)
            {
                break;
            }
        }
        return total;
    }

    private async Task<int> IndexOrdersAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        for (var batch = 0; batch < MaxBatchesPerRun; batch++)
        {
            var now = clock.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var due = await DueAsync(OrdersUpdatedType, now, cancellationToken).ConfigureAwait(false);
            if (due.Count == 0)
            {
                break;
            }
            var ids = due.SelectMany(m => OrderIds(m.Payload)).ToHashSet();
            try
            {
                var orders = await source.OrdersAsync(ids, cancellationToken).ConfigureAwait(false);
                var fills = await source.FillsOfOrdersAsync(ids, cancellationToken).ConfigureAwait(false);
                await writer!.WriteAsync(
                    [.. orders.Select(o => SearchWriter.Order(SearchIndices.Orders.Alias, o)), .. fills.Select(f => SearchWriter.Fill(SearchIndices.Fills.Alias, f))],
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ElasticsearchException exception) when (exception.StatusCode is not null)
            {
                // Elasticsearch refused the batch: the rows get the error and their back-off
                // (OutboxRetryPolicy). Losing the connection is not the rows' fault: they roll back
                // untouched and stay due, so an outage never uses up their attempts.
                due.ForEach(m => m.RecordFailure($"{nameof(ElasticsearchException)}: {exception.Message}", now));
                await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            foreach (var message in due)
            {
                message.ProcessedAt = now;
                message.LastError = null;
            }
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            total += due.Count;
        }
        return total;
    }

    private Task<List<OutboxMessage>> DueAsync(string type, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.OutboxMessages
            .FromSql($"""
                SELECT * FROM outbox_messages
                WHERE processed_at IS NULL AND type = {type} AND next_attempt_at <= {now} AND attempts < {OutboxRetryPolicy.MaxAttempts}
                ORDER BY next_attempt_at LIMIT {OutboxBatchSize} FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(cancellationToken);

    /// <summary><c>{ "market": "BTC-USD", "orders": [{ "id": "42", "owner": 7, "status": "Filled" }], "trades": 1 }</c> (MarketProcessor).</summary>
    internal static IEnumerable<long> OrderIds(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        if (!document.RootElement.TryGetProperty("orders", out var orders) || orders.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }
        foreach (var order in orders.EnumerateArray())
        {
            if (order.TryGetProperty("id", out var id) && long.TryParse(id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText(),
                NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                yield return value;
            }
        }
    }

    /// <summary>Contract D: <c>{ "userId": "&lt;guid&gt;", "pseudonym": "&lt;string&gt;" }</c>.</summary>
    internal static bool TryParseErasure(string payload, out Guid userId, out string pseudonym)
    {
        userId = Guid.Empty;
        pseudonym = "";
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("userId", out var user) && user.ValueKind == JsonValueKind.String && Guid.TryParse(user.GetString(), out userId)
                && root.TryGetProperty("pseudonym", out var name) && name.ValueKind == JsonValueKind.String
                && name.GetString() is { Length: > 0 and <= 64 } text)
            {
                pseudonym = text;
                return true;
            }
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [LoggerMessage(LogLevel.Information, "Elasticsearch is not answering; indexing waits and search answers from PostgreSQL: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Warning, "Search indexing failed, will retry: {Reason}")]
    private static partial void LogRunFailed(ILogger logger, string reason);

    internal sealed class Schedule : IJobSchedule
    {
        public void Declare(IRecurringJobManager recurringJobs, IBackgroundJobClient jobs) =>
            recurringJobs.AddOrUpdate<SearchIndexer>(RecurringJobId, job => job.RunAsync(CancellationToken.None), "*/5 * * * * *",
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }
}

/// <param name="Erasures">Erasure messages recorded.</param>
/// <param name="AuditEntries">Audit documents indexed.</param>
/// <param name="OrderMessages"><c>exchange.orders_updated</c> rows indexed.</param>
/// <param name="Idle">Nothing to do with the index: Elasticsearch is not configured, or a reindex holds the lock.</param>
public sealed record SearchIndexerRun(int Erasures, int AuditEntries, int OrderMessages, bool Idle);
