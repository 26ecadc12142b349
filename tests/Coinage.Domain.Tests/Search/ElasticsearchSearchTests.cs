using Coinage.Domain.Search;
using Coinage.Tests.Search;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using HealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace Coinage.Domain.Tests.Search;

/// <summary>
/// Search on the official client: what it sends for our typed requests (seen on its in-memory
/// transport), how it reads the Elasticsearch reference's example responses, and how
/// <c>AddCoinageSearch</c> registers it the Aspire way.
/// </summary>
public sealed class ElasticsearchSearchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Audit_search_sends_the_typed_query_and_reads_hits_and_the_terms_aggregation()
    {
        var es = new RecordedElasticsearch().Answer(200, """
            {"took":5,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},
             "hits":{"total":{"value":20,"relation":"eq"},"max_score":null,"hits":[
               {"_index":"coinage-audit-20261124093000000","_id":"42","_score":null,"_source":{"sequence":42,"occurredAt":"2026-11-24T09:30:00.123456Z","action":"auth.signed_in","actorUserId":"u1","subjectUserId":"u1","ipAddress":"10.0.0.1","data":"{}","hash":"h"},"sort":[42]},
               {"_index":"coinage-audit-20261124093000000","_id":"41","_score":null,"_source":{"sequence":41,"occurredAt":"2026-11-24T09:29:00Z","action":"order.placed","actorUserId":"u1","data":"{}","hash":"g"},"sort":[41]}]},
             "aggregations":{"sterms#actions":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"auth.signed_in","doc_count":15},{"key":"order.placed","doc_count":5}]}}}
            """);
        var backend = new ElasticsearchSearchBackend(es.CreateClient());
        var user = Guid.Parse("0b6a4c35-51f3-4c39-9a50-3f7d7a3c1a11");

        var result = await backend.SearchAuditAsync(
            new AuditSearchQuery(user.ToString("N"), ["auth.signed_in"], new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), null, 100, 1), Ct);

        var request = Assert.Single(es.Requests);
        Assert.Equal("POST /coinage-audit/_search?typed_keys=true", request.Line);
        Assert.Equal("Basic " + Convert.ToBase64String("elastic:s3cret"u8.ToArray()), request.Authorization);
        // The 9.x client always asks for the 9.x API: an Elasticsearch 8 server refuses it (elastic/elasticsearch-net#8526).
        Assert.Equal("application/vnd.elasticsearch+json;compatible-with=9", request.Accept?.Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(
            """{"aggregations":{"actions":{"terms":{"field":"action","size":20}}},"post_filter":{"range":{"sequence":{"lt":100}}},""" +
            "\"" + """query":{"bool":{"filter":[{"terms":{"action":["auth.signed_in"]}},{"range":{"occurredAt":{"gte":"2026-11-01T00:00:00Z"}}}],""" +
            "\"" + """must":{"bool":{"minimum_should_match":1,"should":[{"term":{"actorUserId":{"value":"0b6a4c35-51f3-4c39-9a50-3f7d7a3c1a11"}}},""" +
            """{"term":{"subjectUserId":{"value":"0b6a4c35-51f3-4c39-9a50-3f7d7a3c1a11"}}},{"term":{"ipAddress":{"value":"0b6a4c3551f34c399a503f7d7a3c1a11"}}},""" +
            """{"multi_match":{"fields":["action.text","data"],"operator":"and","query":"0b6a4c3551f34c399a503f7d7a3c1a11","type":"cross_fields"}}]}}}},""" +
            "\"" + """size":2,"sort":{"sequence":{"order":"desc"}},"track_total_hits":false}""",
            request.Body);

        var hit = Assert.Single(result.Items);
        Assert.Equal(new AuditDocument(42, new DateTimeOffset(2026, 11, 24, 9, 30, 0, 123, 456, TimeSpan.Zero), "auth.signed_in", "u1", "u1", "10.0.0.1", "{}", "h"), hit);
        Assert.Equal("42", result.NextCursor);
        Assert.Equal([new ActionCount("auth.signed_in", 15), new ActionCount("order.placed", 5)], result.Actions);
    }

    [Fact]
    public async Task Order_and_fill_searches_are_always_limited_to_the_user_and_page_by_sequence()
    {
        var es = new RecordedElasticsearch()
            .Answer(200, """{"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"max_score":null,"hits":[]}}""")
            .Answer(200, """
                {"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"max_score":null,"hits":[
                  {"_index":"coinage-fills-1","_id":"7-maker","_score":null,"_source":{"seq":15,"userId":"u","id":"7","orderId":"3","market":"BTC-USD","side":"sell","liquidity":"maker","price":"50000.5","quantity":"0.1","quoteAmount":"5000.05","fee":"5","feeAsset":"USD","createdAt":"2026-11-24T09:30:00+00:00"},"sort":[15]}]}}
                """);
        var backend = new ElasticsearchSearchBackend(es.CreateClient());
        var user = Guid.Parse("6f1c8a4e-3b0d-4d52-9a6e-2f0e7b1c9d33");

        var orders = await backend.SearchOrdersAsync(new OrderSearchQuery(user, " my-order-1 ", "BTC-USD", "buy", ["open", "filled"], null,
            new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), 99, 10), Ct);
        var fills = await backend.SearchFillsAsync(new FillSearchQuery(user, null, null, "maker", null, null, null, 1), Ct);

        Assert.Equal(["POST /coinage-orders/_search", "POST /coinage-fills/_search"], es.Requests.Select(r => r.Line));
        Assert.Equal(
            """{"query":{"bool":{"filter":[{"term":{"userId":{"value":"6f1c8a4e-3b0d-4d52-9a6e-2f0e7b1c9d33"}}},{"term":{"market":{"value":"BTC-USD"}}},""" +
            """{"term":{"side":{"value":"buy"}}},{"terms":{"status":["open","filled"]}},{"range":{"createdAt":{"lt":"2026-12-01T00:00:00Z"}}},""" +
            """{"bool":{"minimum_should_match":1,"should":[{"term":{"id":{"value":"my-order-1"}}},{"term":{"clientOrderId":{"value":"my-order-1"}}}]}},""" +
            """{"range":{"seq":{"lt":99}}}]}},"size":11,"sort":{"seq":{"order":"desc"}},"track_total_hits":false}""",
            es.Requests[0].Body);
        Assert.Equal(
            """{"query":{"bool":{"filter":[{"term":{"userId":{"value":"6f1c8a4e-3b0d-4d52-9a6e-2f0e7b1c9d33"}}},{"term":{"liquidity":{"value":"maker"}}}]}},""" +
            "\"" + """size":2,"sort":{"seq":{"order":"desc"}},"track_total_hits":false}""",
            es.Requests[1].Body);
        Assert.Empty(orders.Items);
        Assert.Null(orders.NextCursor);
        var fill = Assert.Single(fills.Items);
        Assert.Equal(("7-maker", "50000.5", new DateTimeOffset(2026, 11, 24, 9, 30, 0, TimeSpan.Zero)), (fill.DocumentId, fill.Price, fill.CreatedAt));
        Assert.Null(fills.NextCursor);
    }

    [Fact]
    public async Task An_error_answer_or_no_answer_becomes_an_elasticsearch_exception_with_its_status_and_type()
    {
        var es = new RecordedElasticsearch().Answer(404, """
            {"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [coinage-audit]"}],"type":"index_not_found_exception","reason":"no such index [coinage-audit]","index":"coinage-audit"},"status":404}
            """);
        var query = new AuditSearchQuery(null, [], null, null, null, 10);
        var refused = await Assert.ThrowsAsync<ElasticsearchException>(() => new ElasticsearchSearchBackend(es.CreateClient()).SearchAuditAsync(query, Ct));
        Assert.Equal((404, "index_not_found_exception"), (refused.StatusCode, refused.ErrorType));
        Assert.Contains("no such index [coinage-audit]", refused.Message, StringComparison.Ordinal);

        var unreachable = new ElasticsearchClient(new ElasticsearchClientSettings(new Uri("http://127.0.0.1:1")));
        var down = await Assert.ThrowsAsync<ElasticsearchException>(() => new ElasticsearchSearchBackend(unreachable).SearchAuditAsync(query, Ct));
        Assert.Null(down.StatusCode);
    }

    [Fact]
    public async Task The_index_template_has_strict_mappings_the_words_analyzer_and_no_replicas()
    {
        var es = new RecordedElasticsearch().Answer(200, """{"acknowledged":true}""");
        (await es.CreateClient().Indices.PutIndexTemplateAsync(SearchIndices.Fills.Template(), Ct)).Ensure("indices.put_index_template");
        Assert.Equal("PUT /_index_template/coinage-fills", Assert.Single(es.Requests).Line);
        using var json = System.Text.Json.JsonDocument.Parse(es.Requests[0].Body);
        var root = json.RootElement;
        Assert.Equal("coinage-fills-*", root.GetProperty("index_patterns").ValueKind == System.Text.Json.JsonValueKind.Array
            ? root.GetProperty("index_patterns")[0].GetString() : root.GetProperty("index_patterns").GetString());
        Assert.Equal(200, root.GetProperty("priority").GetInt32());
        var template = root.GetProperty("template");
        Assert.Equal("strict", template.GetProperty("mappings").GetProperty("dynamic").GetString());
        Assert.Equal("""{"index":false,"type":"keyword"}""", template.GetProperty("mappings").GetProperty("properties").GetProperty("price").GetRawText());
        Assert.Equal("long", template.GetProperty("mappings").GetProperty("properties").GetProperty("seq").GetProperty("type").GetString());
        var settings = template.GetProperty("settings");
        Assert.Equal("""{"filter":"lowercase","tokenizer":"coinage_words","type":"custom"}""", settings.GetProperty("analysis").GetProperty("analyzer").GetProperty("coinage_words").GetRawText());
        Assert.Equal("[^\\p{L}\\p{N}@]+", settings.GetProperty("analysis").GetProperty("tokenizer").GetProperty("coinage_words").GetProperty("pattern").GetString());
    }

    [Fact]
    public async Task A_mapping_update_adds_the_index_fields_to_the_live_indices_behind_an_alias()
    {
        var es = new RecordedElasticsearch().Answer(200, """{"acknowledged":true}""");
        var request = new Elastic.Clients.Elasticsearch.IndexManagement.PutMappingRequest(SearchIndices.Orders.Alias) { Properties = SearchIndices.Orders.Properties() };
        (await es.CreateClient().Indices.PutMappingAsync(request, Ct)).Ensure("indices.put_mapping");

        Assert.Equal("PUT /coinage-orders/_mapping", Assert.Single(es.Requests).Line);
        using var json = System.Text.Json.JsonDocument.Parse(es.Requests[0].Body);
        Assert.Equal(["properties"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("keyword", json.RootElement.GetProperty("properties").GetProperty("closeReason").GetProperty("type").GetString());
    }

    [Fact]
    public void The_strict_orders_mapping_knows_every_field_an_order_document_has()
    {
        // A field the mapping lacks makes Elasticsearch refuse the document ("dynamic": "strict").
        var at = new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero);
        var document = new OrderDocument(1, "u", "1", "c", "BTC-USD", "buy", "limit", "IOC", false, "cancelled", "100", "1", null, "0", "0", null, "0", "USD", "0", at, at,
            "immediate_or_cancel");
        var fields = System.Text.Json.JsonSerializer.SerializeToNode(document, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!.AsObject()
            .Select(p => p.Key);
        var mapped = SearchIndices.Orders.Properties().Select(p => p.Key.Name).ToHashSet();
        Assert.All(fields, field => Assert.True(mapped.Contains(field), $"the orders mapping has no '{field}'"));
    }

    [Theory]
    [InlineData("green", HealthStatus.Healthy)]
    [InlineData("yellow", HealthStatus.Degraded)]
    [InlineData("red", HealthStatus.Degraded)]
    public async Task The_health_check_reads_cluster_health_and_never_fails_health(string status, HealthStatus expected)
    {
        var es = new RecordedElasticsearch().Answer(200, $$"""
            {"cluster_name":"testcluster","status":"{{status}}","timed_out":false,"number_of_nodes":1,"number_of_data_nodes":1,"active_primary_shards":1,
             "active_shards":1,"relocating_shards":0,"initializing_shards":0,"unassigned_shards":1,"unassigned_primary_shards":0,"delayed_unassigned_shards":0,
             "number_of_pending_tasks":0,"number_of_in_flight_fetch":0,"task_max_waiting_in_queue_millis":0,"active_shards_percent_as_number":50.0}
            """);
        using var services = Registered("http://elastic:pw@127.0.0.1:1", es);
        var health = services.GetRequiredService<HealthCheckService>();

        var report = await health.CheckHealthAsync(r => r.Name == ElasticsearchClientExtensions.HealthCheckName, Ct);

        Assert.Equal("GET /_cluster/health", Assert.Single(es.Requests).Line);
        var entry = Assert.Single(report.Entries).Value;
        Assert.Equal(expected, entry.Status);
        Assert.Equal("testcluster", entry.Data["cluster"]);
        Assert.Equal(["optional", "search"], entry.Tags.Order(StringComparer.Ordinal));

        using var unreachable = Registered("http://127.0.0.1:1", invoker: null);
        var down = await unreachable.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Degraded, down.Entries[ElasticsearchClientExtensions.HealthCheckName].Status);
    }

    [Fact]
    public void Without_a_connection_string_no_client_is_registered_and_postgresql_answers()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddCoinageSearch();
        using var services = builder.Services.BuildServiceProvider();
        Assert.Null(services.GetService<ElasticsearchClient>());
        Assert.DoesNotContain(builder.Services, d => d.ServiceType == typeof(ElasticsearchSearchBackend));
        Assert.DoesNotContain(services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations,
            r => r.Name == ElasticsearchClientExtensions.HealthCheckName);
    }

    [Fact]
    public void Credentials_come_out_of_the_url_into_basic_authentication_or_an_api_key_from_the_settings()
    {
        using var fromUrl = Registered("http://elastic:s%3Acret@127.0.0.1:9200", invoker: null);
        var settings = fromUrl.GetRequiredService<ElasticsearchClient>().ElasticsearchClientSettings;
        Assert.Equal("http://127.0.0.1:9200/", Assert.Single(settings.NodePool.Nodes).Uri.AbsoluteUri);
        Assert.True(settings.Authentication!.TryGetAuthorizationParameters(out var basic));
        Assert.Equal(("Basic", Convert.ToBase64String("elastic:s:cret"u8.ToArray())), (settings.Authentication.AuthScheme, basic));

        using var withKey = Registered("Endpoint=https://search.internal:9243;ApiKey=a2V5OnNlY3JldA==", invoker: null);
        var keyed = withKey.GetRequiredService<ElasticsearchClient>().ElasticsearchClientSettings;
        Assert.Equal("https://search.internal:9243/", Assert.Single(keyed.NodePool.Nodes).Uri.AbsoluteUri);
        Assert.True(keyed.Authentication!.TryGetAuthorizationParameters(out var key));
        Assert.Equal(("ApiKey", "a2V5OnNlY3JldA=="), (keyed.Authentication.AuthScheme, key));

        // Aspire's settings section works too, and turns the health check off.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{ElasticsearchClientExtensions.DefaultConfigSectionName}:Endpoint"] = "http://10.0.0.5:9200",
            [$"{ElasticsearchClientExtensions.DefaultConfigSectionName}:DisableHealthChecks"] = "true",
        });
        builder.AddCoinageSearch();
        using var fromSection = builder.Services.BuildServiceProvider();
        Assert.Equal("http://10.0.0.5:9200/", Assert.Single(fromSection.GetRequiredService<ElasticsearchClient>().ElasticsearchClientSettings.NodePool.Nodes).Uri.AbsoluteUri);
        Assert.DoesNotContain(fromSection.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations,
            r => r.Name == ElasticsearchClientExtensions.HealthCheckName);
    }

    [Fact]
    public void A_connection_string_without_an_endpoint_fails_at_start_not_at_the_first_search()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:elasticsearch"] = "ApiKey=a2V5OnNlY3JldA==" });
        var exception = Assert.Throws<InvalidOperationException>(() => builder.AddCoinageSearch());
        Assert.Contains("ConnectionStrings:elasticsearch", exception.Message, StringComparison.Ordinal);

        // An Elastic Cloud id counts as configured, and needs its API key.
        var cloud = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        cloud.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"{ElasticsearchClientExtensions.DefaultConfigSectionName}:CloudId"] = "coinage:ZXUtd2VzdC0xLmF3cy5mb3VuZC5pbyRjZWM2ZjI2MWE3NGJmMjRjZTMzYmI4ODExYjg0Mjk0ZiQ=" });
        Assert.Throws<InvalidOperationException>(() => cloud.AddCoinageSearch());
    }

    /// <summary>AddCoinageSearch for a connection string; with <paramref name="invoker"/>, the client's requests go to it.</summary>
    private static ServiceProvider Registered(string connectionString, RecordedElasticsearch? invoker)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:elasticsearch"] = connectionString });
        builder.AddCoinageSearch();
        if (invoker is not null)
        {
            builder.Services.AddSingleton(_ => invoker.CreateClient());
        }
        return builder.Services.BuildServiceProvider();
    }
}
