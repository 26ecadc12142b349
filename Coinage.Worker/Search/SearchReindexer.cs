using Coinage.Domain.Data;
using Coinage.Domain.Search;
using Coinage.Worker.Hangfire;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Worker.Search;

/// <summary>
/// Rebuilds every index from PostgreSQL into new versioned indices, then points the aliases at them
/// and drops the old ones in one atomic <c>_aliases</c> call: searches see the old indices until the
/// swap and the new ones after, never a half-built one. Runs under the indexer's lock, so no
/// incremental write goes to an index about to be replaced. Started by the indexer when an alias is
/// missing (first start, or a wiped server), from the Hangfire dashboard (recurring job
/// <c>search-reindex</c>, never scheduled), or with <c>dotnet Coinage.Worker.dll reindex</c>.
/// </summary>
public sealed partial class SearchReindexer(
    CoinageDbContext db, SearchSource source, TimeProvider clock, ILogger<SearchReindexer> logger,
    ElasticsearchClient? client = null, SearchWriter? writer = null)
{
    public const string RecurringJobId = "search-reindex";
    public const int PageSize = 1000;

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<SearchReindexResult> ReindexAsync(CancellationToken cancellationToken)
    {
        if (client is null || writer is null)
        {
            throw new InvalidOperationException($"Elasticsearch is not configured (ConnectionStrings:{SearchExtensions.ConnectionName}); nothing to reindex.");
        }
        await SearchLock.AcquireAsync(db, cancellationToken).ConfigureAwait(false);
        try
        {
            return await RebuildLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await SearchLock.ReleaseAsync(db).ConfigureAwait(false);
        }
    }

    /// <summary>True when an index has no alias yet: the indices must be built before anything is indexed incrementally.</summary>
    internal async Task<bool> MissingAliasesAsync(CancellationToken cancellationToken)
    {
        foreach (var index in SearchIndices.All)
        {
            if ((await AliasIndicesAsync(index.Alias, cancellationToken).ConfigureAwait(false)).Count == 0)
            {
                return true;
            }
        }
        return false;
    }

    private static volatile bool s_mappingsEnsured;

    /// <summary>
    /// Adds fields introduced since the live indices were built (their mappings are strict, so a document with a
    /// field they do not know would be refused) to those indices, once per process: new indices get them from the
    /// template. Adding a field is always allowed, so no reindex is needed for it.
    /// </summary>
    internal async Task EnsureMappingsAsync(CancellationToken cancellationToken)
    {
        if (s_mappingsEnsured)
        {
            return;
        }
        foreach (var index in SearchIndices.All)
        {
            (await client!.Indices.PutIndexTemplateAsync(index.Template(), cancellationToken).ConfigureAwait(false)).Ensure("indices.put_index_template");
            (await client.Indices.PutMappingAsync(new PutMappingRequest(index.Alias) { Properties = index.Properties() }, cancellationToken).ConfigureAwait(false))
                .Ensure("indices.put_mapping");
        }
        s_mappingsEnsured = true;
    }

    /// <summary>The indices <paramref name="alias"/> points at; none when the alias does not exist (404).</summary>
    internal async Task<IReadOnlyList<string>> AliasIndicesAsync(string alias, CancellationToken cancellationToken)
    {
        var response = (await client!.Indices.GetAliasAsync(new GetAliasRequest(Names.Parse(alias)), cancellationToken).ConfigureAwait(false))
            .Ensure("indices.get_alias", 404);
        return response.ApiCallDetails.HttpStatusCode == 404 ? [] : [.. (response.Aliases?.Keys ?? []).Order(StringComparer.Ordinal)];
    }

    /// <summary>The rebuild itself; the caller holds <see cref="SearchLock"/>.</summary>
    internal async Task<SearchReindexResult> RebuildLockedAsync(CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        foreach (var index in SearchIndices.All)
        {
            (await client!.Indices.PutIndexTemplateAsync(index.Template(), cancellationToken).ConfigureAwait(false)).Ensure("indices.put_index_template");
        }
        // Orders-updated rows committed before the rebuild reads the orders are reflected in what it reads;
        // they are marked processed after the swap. Rows committed later stay for the indexer.
        var covered = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.Type == SearchIndexer.OrdersUpdatedType && m.ProcessedAt == null)
            .Select(m => m.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var erasuresCovered = await db.SearchErasures.Where(e => e.IndexCleanedAt == null).Select(e => e.UserId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        var names = SearchIndices.All.ToDictionary(i => i.Alias, i => i.NewVersion(started));
        try
        {
            foreach (var name in names.Values)
            {
                (await client!.Indices.CreateAsync(new CreateIndexRequest(name), cancellationToken).ConfigureAwait(false)).Ensure("indices.create");
            }
            var auditIndex = names[SearchIndices.Audit.Alias];
            long auditPosition = 0, audit = 0, orders = 0, fills = 0;
            while (true)
            {
                var page = await source.AuditAfterAsync(auditPosition, PageSize, cancellationToken).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    break;
                }
                await writer!.WriteAsync([.. page.Select(d => SearchWriter.Audit(auditIndex, d))], cancellationToken).ConfigureAwait(false);
                auditPosition = page[^1].Sequence;
                audit += page.Count;
            }
            for (long after = 0; ;)
            {
                var (page, last) = await source.OrdersPageAsync(after, PageSize, cancellationToken).ConfigureAwait(false);
                if (last is not { } lastId)
                {
                    break;
                }
                await writer!.WriteAsync([.. page.Select(o => SearchWriter.Order(names[SearchIndices.Orders.Alias], o))], cancellationToken).ConfigureAwait(false);
                after = lastId;
                orders += page.Count;
            }
            for (long after = 0; ;)
            {
                var (page, last) = await source.FillsPageAsync(after, PageSize, cancellationToken).ConfigureAwait(false);
                if (last is not { } lastId)
                {
                    break;
                }
                await writer!.WriteAsync([.. page.Select(f => SearchWriter.Fill(names[SearchIndices.Fills.Alias], f))], cancellationToken).ConfigureAwait(false);
                after = lastId;
                fills += page.Count;
            }
            foreach (var name in names.Values)
            {
                (await client!.Indices.RefreshAsync(new RefreshRequest(name), cancellationToken).ConfigureAwait(false)).Ensure("indices.refresh");
            }

            var actions = new List<IndexUpdateAliasesAction>();
            foreach (var (alias, name) in names)
            {
                actions.Add(new AddAction { Index = name, Alias = alias });
                foreach (var old in await AliasIndicesAsync(alias, cancellationToken).ConfigureAwait(false))
                {
                    actions.Add(new RemoveIndexAction { Index = old });
                }
            }
            (await client!.Indices.UpdateAliasesAsync(new UpdateAliasesRequest { Actions = actions }, cancellationToken).ConfigureAwait(false)).Ensure("indices.update_aliases");

            var now = clock.GetUtcNow();
            var checkpoint = await db.SearchCheckpoints.FirstOrDefaultAsync(c => c.Name == SearchIndexer.AuditCheckpoint, cancellationToken).ConfigureAwait(false);
            if (checkpoint is null)
            {
                db.SearchCheckpoints.Add(checkpoint = new SearchCheckpoint { Name = SearchIndexer.AuditCheckpoint });
            }
            checkpoint.Index = auditIndex;
            checkpoint.Position = auditPosition;
            checkpoint.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            foreach (var chunk in covered.Chunk(1000))
            {
                await db.OutboxMessages.Where(m => chunk.Contains(m.Id) && m.ProcessedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAt, now).SetProperty(m => m.LastError, (string?)null), cancellationToken).ConfigureAwait(false);
            }
            await db.SearchErasures.Where(e => erasuresCovered.Contains(e.UserId))
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.IndexCleanedAt, now), cancellationToken).ConfigureAwait(false);
            var result = new SearchReindexResult(names.Values.Order(StringComparer.Ordinal).ToList(), audit, orders, fills);
            LogReindexed(logger, string.Join(", ", result.Indices), audit, orders, fills);
            return result;
        }
        catch
        {
            // The aliases still point at the old indices; drop the half-built ones.
            foreach (var name in names.Values)
            {
                (await client!.Indices.DeleteAsync(new DeleteIndexRequest(name), CancellationToken.None).ConfigureAwait(false)).Ensure("indices.delete", 404);
            }
            throw;
        }
    }

    [LoggerMessage(LogLevel.Information, "Search reindexed into {Indices}: {Audit} audit entries, {Orders} orders, {Fills} fills")]
    private static partial void LogReindexed(ILogger logger, string indices, long audit, long orders, long fills);

    internal sealed class Schedule : IJobSchedule
    {
        public void Declare(IRecurringJobManager recurringJobs, IBackgroundJobClient jobs) =>
            recurringJobs.AddOrUpdate<SearchReindexer>(RecurringJobId, job => job.ReindexAsync(CancellationToken.None), Cron.Never(),
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }
}

public sealed record SearchReindexResult(IReadOnlyList<string> Indices, long AuditEntries, long Orders, long Fills);

internal static class SearchIndexingExtensions
{
    /// <summary>The indexer and reindex jobs; Elasticsearch parts only when a server is configured.</summary>
    public static IHostApplicationBuilder AddSearchIndexing(this IHostApplicationBuilder builder)
    {
        builder.AddCoinageSearch();
        builder.Services.AddSingleton<SearchTelemetry>();
        builder.Services.AddScoped<SearchIndexer>();
        builder.Services.AddScoped<SearchReindexer>();
        if (SearchExtensions.IsElasticsearchConfigured(builder.Configuration))
        {
            builder.Services.AddScoped<SearchWriter>();
        }
        builder.Services.AddSingleton<IJobSchedule, SearchIndexer.Schedule>();
        builder.Services.AddSingleton<IJobSchedule, SearchReindexer.Schedule>();
        return builder;
    }

    /// <summary><c>dotnet Coinage.Worker.dll reindex</c>: rebuild the indices, print what was indexed, exit.</summary>
    public static async Task<int> RunReindexCommandAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<SearchReindexer>().ReindexAsync(CancellationToken.None).ConfigureAwait(false);
        await Console.Out.WriteLineAsync(
            $"Reindexed into {string.Join(", ", result.Indices)}: {result.AuditEntries} audit entries, {result.Orders} orders, {result.Fills} fills.").ConfigureAwait(false);
        return 0;
    }
}
