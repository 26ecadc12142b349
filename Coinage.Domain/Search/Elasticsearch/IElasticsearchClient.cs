using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Coinage.Domain.Search.Elasticsearch;

/// <summary>
/// The Elasticsearch REST calls Coinage makes, and nothing more. It replaces the official
/// <c>Elastic.Clients.Elasticsearch</c> (not available to us): each method is one documented
/// endpoint; request bodies are built by the caller as JSON (queries) or typed here (bulk, aliases).
/// Every failure is an <see cref="ElasticsearchException"/>.
/// </summary>
public interface IElasticsearchClient
{
    /// <summary><c>GET /_cluster/health</c>.</summary>
    Task<ClusterHealth> GetClusterHealthAsync(CancellationToken cancellationToken = default);

    /// <summary><c>PUT /_index_template/{name}</c>: creates or replaces a composable index template.</summary>
    Task PutIndexTemplateAsync(string name, JsonObject template, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>PUT /{index}/_mapping</c> with <c>{ "properties": … }</c>: adds fields to the mapping of an index (or of the
    /// indices behind an alias). Fields already mapped the same way are left as they are.
    /// </summary>
    Task PutMappingAsync(string index, JsonObject properties, CancellationToken cancellationToken = default);

    /// <summary><c>PUT /{index}</c> with an empty body: settings and mappings come from the matching template.</summary>
    Task CreateIndexAsync(string index, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /{index}</c>; a missing index is not an error.</summary>
    Task DeleteIndexAsync(string index, CancellationToken cancellationToken = default);

    /// <summary><c>GET /_alias/{alias}</c>: the indices the alias points at (empty when the alias does not exist).</summary>
    Task<IReadOnlyList<string>> GetAliasIndicesAsync(string alias, CancellationToken cancellationToken = default);

    /// <summary><c>POST /_aliases</c>: applies the actions atomically.</summary>
    Task UpdateAliasesAsync(IReadOnlyList<AliasAction> actions, CancellationToken cancellationToken = default);

    /// <summary><c>POST /_refresh</c> of one index or alias: makes what was written searchable now.</summary>
    Task RefreshAsync(string index, CancellationToken cancellationToken = default);

    /// <summary><c>POST /_bulk</c> (NDJSON). Per-item failures are in the response, not thrown.</summary>
    Task<BulkResponse> BulkAsync(IReadOnlyList<BulkOperation> operations, CancellationToken cancellationToken = default);

    /// <summary><c>POST /{index}/_search</c> with <paramref name="body"/> (query, sort, size, aggs).</summary>
    Task<SearchResponse<TDocument>> SearchAsync<TDocument>(string index, JsonObject body, CancellationToken cancellationToken = default);

    /// <summary><c>POST /{index}/_delete_by_query?conflicts=proceed&amp;refresh=true</c>; returns how many were deleted.</summary>
    Task<long> DeleteByQueryAsync(string index, JsonObject query, CancellationToken cancellationToken = default);
}

/// <summary>The part of <c>_cluster/health</c> we read.</summary>
public sealed record ClusterHealth(
    [property: JsonPropertyName("cluster_name")] string ClusterName,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("number_of_nodes")] int NumberOfNodes,
    [property: JsonPropertyName("active_shards_percent_as_number")] decimal ActiveShardsPercent);

/// <summary>One action of <c>POST /_aliases</c>.</summary>
public abstract record AliasAction
{
    public sealed record Add(string Index, string Alias) : AliasAction;

    public sealed record Remove(string Index, string Alias) : AliasAction;

    /// <summary>Deletes the index in the same atomic step (the old index of an alias swap).</summary>
    public sealed record RemoveIndex(string Index) : AliasAction;
}

/// <summary>One line pair (or line, for a delete) of a bulk request.</summary>
public abstract record BulkOperation(string Index, string Id)
{
    /// <summary>Creates or replaces the document. With <see cref="ExternalVersion"/>, an older version never overwrites a newer one (<c>external_gte</c>).</summary>
    public sealed record IndexDocument(string Index, string Id, object Document, long? ExternalVersion = null) : BulkOperation(Index, Id);

    public sealed record Delete(string Index, string Id) : BulkOperation(Index, Id);
}

public sealed record BulkResponse(long TookMilliseconds, bool Errors, IReadOnlyList<BulkItemResult> Items)
{
    /// <summary>Items that failed for a reason other than a version conflict (a newer version is already stored, which is the outcome we want).</summary>
    public IReadOnlyList<BulkItemResult> Failures => [.. Items.Where(i => i.Status >= 300 && i.Status != 409 && !(i.Operation == "delete" && i.Status == 404))];
}

/// <param name="Operation"><c>index</c>, <c>create</c>, <c>update</c> or <c>delete</c>.</param>
/// <param name="ErrorType">e.g. <c>es_rejected_execution_exception</c> (429: retry later), <c>mapper_parsing_exception</c> (400).</param>
public sealed record BulkItemResult(string Operation, string Index, string Id, int Status, string? Result, string? ErrorType, string? ErrorReason)
{
    /// <summary>Worth trying again: the cluster was busy or a shard unavailable.</summary>
    public bool IsTransient => Status is 429 or 502 or 503 or 504;
}

public sealed record SearchResponse<TDocument>(long TookMilliseconds, long? Total, IReadOnlyList<SearchHit<TDocument>> Hits, JsonObject? Aggregations)
{
    /// <summary>The buckets of a <c>terms</c> aggregation named <paramref name="name"/> (empty when absent).</summary>
    public IReadOnlyList<TermsBucket> TermsBuckets(string name)
    {
        if (Aggregations?[name]?["buckets"] is not JsonArray buckets)
        {
            return [];
        }
        return [.. buckets.OfType<JsonObject>().Select(b => new TermsBucket(
            b["key"]?.GetValueKind() == JsonValueKind.String ? b["key"]!.GetValue<string>() : b["key"]?.ToJsonString() ?? "",
            b["doc_count"]?.GetValue<long>() ?? 0))];
    }
}

public sealed record SearchHit<TDocument>(string Index, string Id, TDocument Source, JsonArray? Sort);

public sealed record TermsBucket(string Key, long DocCount);

/// <summary>Elasticsearch answered with an error, or could not be reached.</summary>
public sealed class ElasticsearchException : Exception
{
    public ElasticsearchException(string message, int? statusCode = null, string? errorType = null, Exception? inner = null) : base(message, inner)
    {
        StatusCode = statusCode;
        ErrorType = errorType;
    }

    public ElasticsearchException()
    {
    }

    public ElasticsearchException(string message) : base(message)
    {
    }

    public ElasticsearchException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The HTTP status, or null when there was no answer (connection refused, timeout).</summary>
    public int? StatusCode { get; }

    /// <summary>Elasticsearch's <c>error.type</c>, e.g. <c>index_not_found_exception</c>.</summary>
    public string? ErrorType { get; }
}
