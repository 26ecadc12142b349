using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coinage.Domain.Search.Elasticsearch;

/// <summary>
/// <see cref="IElasticsearchClient"/> over one <see cref="HttpClient"/> (from the factory, so the
/// service defaults' resilience handler retries transient transport failures). One client span per
/// call, named and tagged after OpenTelemetry's database conventions for Elasticsearch.
/// </summary>
public sealed class ElasticsearchClient : IElasticsearchClient
{
    public const string ActivitySourceName = "Coinage.Search.Elasticsearch";

    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    /// <summary>Documents as the search API shows them: camelCase, ISO-8601 dates, nulls left out.</summary>
    public static readonly JsonSerializerOptions DocumentJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private static readonly MediaTypeHeaderValue NdJson = new("application/x-ndjson") { CharSet = "utf-8" };

    private readonly HttpClient _http;

    public ElasticsearchClient(HttpClient http, ElasticsearchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.IsConfigured)
        {
            throw new InvalidOperationException($"ConnectionStrings:{ElasticsearchSettings.ConnectionName} is not set.");
        }
        _http = http;
        _http.BaseAddress = settings.BaseAddress;
        _http.DefaultRequestHeaders.Authorization = settings.Authorization;
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public async Task<ClusterHealth> GetClusterHealthAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("cluster.health", HttpMethod.Get, "_cluster/health", null, null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<ClusterHealth>(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task PutIndexTemplateAsync(string name, JsonObject template, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        using var response = await SendAsync("indices.put_index_template", HttpMethod.Put, $"_index_template/{Escape(name)}", JsonBody(template), null, cancellationToken).ConfigureAwait(false);
    }

    public async Task PutMappingAsync(string index, JsonObject properties, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(properties);
        using var response = await SendAsync("indices.put_mapping", HttpMethod.Put, $"{Escape(index)}/_mapping",
            JsonBody(new JsonObject { ["properties"] = properties.DeepClone() }), index, cancellationToken).ConfigureAwait(false);
    }

    public async Task CreateIndexAsync(string index, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("indices.create", HttpMethod.Put, Escape(index), JsonBody(new JsonObject()), index, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteIndexAsync(string index, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("indices.delete", HttpMethod.Delete, Escape(index), null, index, cancellationToken, allowNotFound: true).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> GetAliasIndicesAsync(string alias, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("indices.get_alias", HttpMethod.Get, $"_alias/{Escape(alias)}", null, alias, cancellationToken, allowNotFound: true).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
        // { "index-name": { "aliases": { "alias": {} } }, … }
        var body = await ReadAsync<JsonObject>(response, cancellationToken).ConfigureAwait(false);
        return [.. body.Select(p => p.Key).Order(StringComparer.Ordinal)];
    }

    public async Task UpdateAliasesAsync(IReadOnlyList<AliasAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var list = new JsonArray();
        foreach (var action in actions)
        {
            list.Add(action switch
            {
                AliasAction.Add a => new JsonObject { ["add"] = new JsonObject { ["index"] = a.Index, ["alias"] = a.Alias } },
                AliasAction.Remove r => new JsonObject { ["remove"] = new JsonObject { ["index"] = r.Index, ["alias"] = r.Alias } },
                AliasAction.RemoveIndex ri => new JsonObject { ["remove_index"] = new JsonObject { ["index"] = ri.Index } },
                _ => throw new ArgumentException($"Unknown alias action {action}.", nameof(actions)),
            });
        }
        using var response = await SendAsync("indices.update_aliases", HttpMethod.Post, "_aliases", JsonBody(new JsonObject { ["actions"] = list }), null, cancellationToken).ConfigureAwait(false);
    }

    public async Task RefreshAsync(string index, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("indices.refresh", HttpMethod.Post, $"{Escape(index)}/_refresh", null, index, cancellationToken).ConfigureAwait(false);
    }

    public async Task<BulkResponse> BulkAsync(IReadOnlyList<BulkOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Count == 0)
        {
            return new BulkResponse(0, false, []);
        }
        var content = new ByteArrayContent(BulkBody(operations));
        content.Headers.ContentType = NdJson;
        using var response = await SendAsync("bulk", HttpMethod.Post, "_bulk", content, null, cancellationToken).ConfigureAwait(false);
        var body = await ReadAsync<JsonObject>(response, cancellationToken).ConfigureAwait(false);
        return ParseBulkResponse(body);
    }

    public async Task<SearchResponse<TDocument>> SearchAsync<TDocument>(string index, JsonObject body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var response = await SendAsync("search", HttpMethod.Post, $"{Escape(index)}/_search", JsonBody(body), index, cancellationToken).ConfigureAwait(false);
        var json = await ReadAsync<JsonObject>(response, cancellationToken).ConfigureAwait(false);
        return ParseSearchResponse<TDocument>(json);
    }

    public async Task<long> DeleteByQueryAsync(string index, JsonObject query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var response = await SendAsync("delete_by_query", HttpMethod.Post, $"{Escape(index)}/_delete_by_query?conflicts=proceed&refresh=true",
            JsonBody(new JsonObject { ["query"] = query }), index, cancellationToken).ConfigureAwait(false);
        var json = await ReadAsync<JsonObject>(response, cancellationToken).ConfigureAwait(false);
        if (json["failures"] is JsonArray { Count: > 0 } failures)
        {
            throw new ElasticsearchException($"delete_by_query on {index} had {failures.Count} failures: {failures[0]?.ToJsonString()}");
        }
        return json["deleted"]?.GetValue<long>() ?? 0;
    }

    /// <summary>The NDJSON body of a bulk request: an action line, then the document line for index actions; a final newline.</summary>
    public static byte[] BulkBody(IReadOnlyList<BulkOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        using var stream = new MemoryStream();
        foreach (var operation in operations)
        {
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteStartObject(operation is BulkOperation.Delete ? "delete" : "index");
                writer.WriteString("_index", operation.Index);
                writer.WriteString("_id", operation.Id);
                if (operation is BulkOperation.IndexDocument { ExternalVersion: { } version })
                {
                    writer.WriteNumber("version", version);
                    writer.WriteString("version_type", "external_gte");
                }
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
            if (operation is BulkOperation.IndexDocument document)
            {
                JsonSerializer.Serialize(stream, document.Document, document.Document.GetType(), DocumentJson);
                stream.WriteByte((byte)'\n');
            }
        }
        return stream.ToArray();
    }

    public static BulkResponse ParseBulkResponse(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var items = new List<BulkItemResult>();
        foreach (var item in body["items"]?.AsArray() ?? [])
        {
            // Each item is { "<operation>": { "_index", "_id", "status", "result" | "error" } }.
            var (operation, value) = item!.AsObject().First();
            var result = value!.AsObject();
            var error = result["error"] as JsonObject;
            items.Add(new BulkItemResult(operation, result["_index"]?.GetValue<string>() ?? "", result["_id"]?.GetValue<string>() ?? "",
                result["status"]?.GetValue<int>() ?? 0, result["result"]?.GetValue<string>(),
                error?["type"]?.GetValue<string>(), error?["reason"]?.GetValue<string>()));
        }
        return new BulkResponse(body["took"]?.GetValue<long>() ?? 0, body["errors"]?.GetValue<bool>() ?? false, items);
    }

    public static SearchResponse<TDocument> ParseSearchResponse<TDocument>(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var hits = body["hits"] as JsonObject;
        var total = hits?["total"] switch
        {
            JsonObject t => t["value"]?.GetValue<long>(),
            JsonValue v => v.GetValue<long>(),
            _ => null,
        };
        var list = new List<SearchHit<TDocument>>();
        foreach (var hit in hits?["hits"]?.AsArray() ?? [])
        {
            var source = hit!["_source"].Deserialize<TDocument>(DocumentJson)
                ?? throw new ElasticsearchException($"A hit of {hit["_index"]} has no _source.");
            list.Add(new SearchHit<TDocument>(hit["_index"]?.GetValue<string>() ?? "", hit["_id"]?.GetValue<string>() ?? "", source, hit["sort"]?.DeepClone() as JsonArray));
        }
        return new SearchResponse<TDocument>(body["took"]?.GetValue<long>() ?? 0, total, list, body["aggregations"]?.DeepClone() as JsonObject);
    }

    private async Task<HttpResponseMessage> SendAsync(string operation, HttpMethod method, string path, HttpContent? content, string? index,
        CancellationToken cancellationToken, bool allowNotFound = false)
    {
        using var activity = ActivitySource.StartActivity(index is null ? operation : $"{operation} {index}", ActivityKind.Client);
        activity?.SetTag("db.system.name", "elasticsearch");
        activity?.SetTag("db.operation.name", operation);
        if (index is not null)
        {
            activity?.SetTag("db.collection.name", index);
        }
        using var request = new HttpRequestMessage(method, path) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        // Whatever stopped the request — refused connection, timeout, the resilience handler's open
        // circuit — is "Elasticsearch did not answer"; only the caller's own cancellation passes through.
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            throw new ElasticsearchException($"Elasticsearch {operation} failed: {exception.Message}", null, null, exception);
        }
        activity?.SetTag("http.response.status_code", (int)response.StatusCode);
        if (response.IsSuccessStatusCode || allowNotFound && response.StatusCode == HttpStatusCode.NotFound)
        {
            return response;
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var (type, reason) = ParseError(text);
            activity?.SetStatus(ActivityStatusCode.Error, type);
            activity?.SetTag("error.type", type ?? ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            throw new ElasticsearchException($"Elasticsearch {operation} answered {(int)response.StatusCode}: {type}: {reason}", (int)response.StatusCode, type);
        }
    }

    /// <summary>Errors look like <c>{"error":{"root_cause":[…],"type":"…","reason":"…"},"status":400}</c>.</summary>
    internal static (string? Type, string? Reason) ParseError(string text)
    {
        try
        {
            var error = JsonNode.Parse(text)?["error"];
            return error is JsonObject o
                ? (o["type"]?.GetValue<string>(), o["reason"]?.GetValue<string>())
                : (null, error?.GetValue<string>() ?? Truncate(text));
        }
        catch (JsonException)
        {
            return (null, Truncate(text));
        }
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] : text;

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, cancellationToken: cancellationToken).ConfigureAwait(false)
                ?? throw new ElasticsearchException("Elasticsearch answered with an empty body.");
        }
    }

    private static StringContent JsonBody(JsonNode body)
    {
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = Json;
        return content;
    }

    /// <summary>Index and template names are ours, but escape anyway so a name can never add a path segment.</summary>
    private static string Escape(string name) => Uri.EscapeDataString(name);
}
