using System.Net;
using System.Text.Json.Nodes;
using Coinage.Domain.Search;
using Coinage.Domain.Search.Elasticsearch;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coinage.Domain.Tests.Search;

/// <summary>
/// The hand-written client against the Elasticsearch REST API as documented: exact request lines and
/// bodies, and parsing of the documentation's example responses.
/// </summary>
public sealed class ElasticsearchClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (ElasticsearchClient Client, RecordingHandler Handler) Create(string url = "http://elastic:s%3Acret@127.0.0.1:9200")
    {
        var handler = new RecordingHandler();
        return (new ElasticsearchClient(new HttpClient(handler), ElasticsearchSettings.Parse(url)), handler);
    }

    [Fact]
    public void Settings_take_the_credentials_out_of_the_url()
    {
        var settings = ElasticsearchSettings.Parse("http://elastic:s%3Acret@127.0.0.1:9200");
        Assert.Equal("http://127.0.0.1:9200/", settings.BaseAddress!.AbsoluteUri);
        Assert.Equal("Basic " + Convert.ToBase64String("elastic:s:cret"u8.ToArray()), settings.Authorization!.ToString());
        Assert.False(ElasticsearchSettings.Parse("  ").IsConfigured);
        Assert.Equal("https://search.internal/es/", ElasticsearchSettings.Parse("https://search.internal/es").BaseAddress!.AbsoluteUri);
        Assert.Throws<FormatException>(() => ElasticsearchSettings.Parse("127.0.0.1:9200"));
    }

    [Fact]
    public async Task Bulk_sends_ndjson_action_and_source_lines_and_reads_the_documented_response()
    {
        var (client, handler) = Create();
        // The _bulk reference's example response: one index created, one delete of a missing document.
        handler.Respond(HttpStatusCode.OK, """
            {"took":30,"errors":false,"items":[
              {"index":{"_index":"test","_id":"1","_version":1,"result":"created","_shards":{"total":2,"successful":1,"failed":0},"status":201,"_seq_no":0,"_primary_term":1}},
              {"delete":{"_index":"test","_id":"2","_version":1,"result":"not_found","_shards":{"total":2,"successful":1,"failed":0},"status":404,"_seq_no":1,"_primary_term":2}}]}
            """);
        var at = new DateTimeOffset(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);
        var response = await client.BulkAsync(
        [
            new BulkOperation.IndexDocument("test", "1", new AuditDocument(1, at, "user.registered", null, "0b6a…", "10.0.0.1", """{"email":"a@b.c"}""", "ab")),
            new BulkOperation.Delete("test", "2"),
            new BulkOperation.IndexDocument("orders", "7", new { id = "7", status = "open" }, ExternalVersion: 1764000000000000),
        ], Ct);

        var request = Assert.Single(handler.Requests);
        Assert.Equal((HttpMethod.Post, "/_bulk", "application/x-ndjson; charset=utf-8"), (request.Method, request.PathAndQuery, request.ContentType));
        Assert.Equal(
            """{"index":{"_index":"test","_id":"1"}}""" + "\n" +
            """{"sequence":1,"occurredAt":"2026-11-24T09:30:00+00:00","action":"user.registered","subjectUserId":"0b6a\u2026","ipAddress":"10.0.0.1","data":"{\u0022email\u0022:\u0022a@b.c\u0022}","hash":"ab"}""" + "\n" +
            """{"delete":{"_index":"test","_id":"2"}}""" + "\n" +
            """{"index":{"_index":"orders","_id":"7","version":1764000000000000,"version_type":"external_gte"}}""" + "\n" +
            """{"id":"7","status":"open"}""" + "\n",
            request.Body);
        Assert.Equal("Basic " + Convert.ToBase64String("elastic:s:cret"u8.ToArray()), request.Authorization);
        Assert.Equal(30, response.TookMilliseconds);
        Assert.Equal(new BulkItemResult("index", "test", "1", 201, "created", null, null), response.Items[0]);
        Assert.Equal(new BulkItemResult("delete", "test", "2", 404, "not_found", null, null), response.Items[1]);
        Assert.Empty(response.Failures); // a delete of a missing document is what we wanted
    }

    [Fact]
    public async Task Bulk_item_errors_are_reported_with_their_type_and_whether_to_retry()
    {
        var (client, handler) = Create();
        // The _bulk reference's example with errors, plus a rejection under load and a version conflict.
        handler.Respond(HttpStatusCode.OK, """
            {"took":486,"errors":true,"items":[
              {"update":{"_index":"index1","_id":"5","status":404,"error":{"type":"document_missing_exception","reason":"[5]: document missing","index_uuid":"aAsFqTI0Tc2W0LCWgPNrOA","shard":"0","index":"index1"}}},
              {"index":{"_index":"index1","_id":"6","status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected execution"}}},
              {"index":{"_index":"index1","_id":"7","status":409,"error":{"type":"version_conflict_engine_exception","reason":"[7]: version conflict"}}}]}
            """);
        var response = await client.BulkAsync([new BulkOperation.Delete("index1", "5")], Ct);
        Assert.True(response.Errors);
        Assert.Equal(["5", "6"], response.Failures.Select(f => f.Id));
        Assert.Equal(("document_missing_exception", "[5]: document missing", false), (response.Failures[0].ErrorType, response.Failures[0].ErrorReason, response.Failures[0].IsTransient));
        Assert.True(response.Failures[1].IsTransient);
    }

    [Fact]
    public async Task Search_posts_the_body_and_parses_hits_sort_values_and_terms_aggregations()
    {
        var (client, handler) = Create();
        handler.Respond(HttpStatusCode.OK, """
            {"took":5,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},
             "hits":{"total":{"value":20,"relation":"eq"},"max_score":null,"hits":[
               {"_index":"coinage-audit-20261124093000000","_id":"42","_score":null,"_source":{"sequence":42,"occurredAt":"2026-11-24T09:30:00.123456Z","action":"auth.signed_in","actorUserId":"u1","subjectUserId":"u1","ipAddress":"10.0.0.1","data":"{}","hash":"h"},"sort":[42]}]},
             "aggregations":{"actions":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"auth.signed_in","doc_count":15},{"key":"order.placed","doc_count":5}]}}}
            """);
        var body = new JsonObject { ["size"] = 1, ["query"] = new JsonObject { ["match_all"] = new JsonObject() } };
        var response = await client.SearchAsync<AuditDocument>("coinage-audit", body, Ct);

        var request = Assert.Single(handler.Requests);
        Assert.Equal((HttpMethod.Post, "/coinage-audit/_search", "application/json; charset=utf-8"), (request.Method, request.PathAndQuery, request.ContentType));
        Assert.Equal("""{"size":1,"query":{"match_all":{}}}""", request.Body);
        Assert.Equal(20, response.Total);
        var hit = Assert.Single(response.Hits);
        Assert.Equal(("coinage-audit-20261124093000000", "42", 42L, "auth.signed_in", "10.0.0.1"),
            (hit.Index, hit.Id, hit.Source.Sequence, hit.Source.Action, hit.Source.IpAddress));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 9, 30, 0, 123, 456, TimeSpan.Zero), hit.Source.OccurredAt);
        Assert.Equal("[42]", hit.Sort!.ToJsonString());
        Assert.Equal([new TermsBucket("auth.signed_in", 15), new TermsBucket("order.placed", 5)], response.TermsBuckets("actions"));
        Assert.Empty(response.TermsBuckets("missing"));
    }

    [Fact]
    public async Task Delete_by_query_proceeds_on_conflicts_refreshes_and_returns_the_deleted_count()
    {
        var (client, handler) = Create();
        // The _delete_by_query reference's example response.
        handler.Respond(HttpStatusCode.OK, """
            {"took":147,"timed_out":false,"total":119,"deleted":119,"batches":1,"version_conflicts":0,"noops":0,
             "retries":{"bulk":0,"search":0},"throttled_millis":0,"requests_per_second":-1.0,"throttled_until_millis":0,"failures":[]}
            """);
        var deleted = await client.DeleteByQueryAsync("coinage-orders", new JsonObject { ["term"] = new JsonObject { ["userId"] = "u1" } }, Ct);
        Assert.Equal(119, deleted);
        var request = Assert.Single(handler.Requests);
        Assert.Equal((HttpMethod.Post, "/coinage-orders/_delete_by_query?conflicts=proceed&refresh=true"), (request.Method, request.PathAndQuery));
        Assert.Equal("""{"query":{"term":{"userId":"u1"}}}""", request.Body);
    }

    [Fact]
    public async Task Index_templates_aliases_and_index_lifecycle_use_the_documented_endpoints()
    {
        var (client, handler) = Create();
        handler.Respond(HttpStatusCode.OK, """{"acknowledged":true}""")
            .Respond(HttpStatusCode.OK, """{"acknowledged":true,"shards_acknowledged":true,"index":"coinage-fills-1"}""")
            .Respond(HttpStatusCode.OK, """{"coinage-fills-1":{"aliases":{"coinage-fills":{}}}}""")
            .Respond(HttpStatusCode.NotFound, """{"error":"alias [coinage-orders] missing","status":404}""")
            .Respond(HttpStatusCode.OK, """{"acknowledged":true}""")
            .Respond(HttpStatusCode.OK, """{"_shards":{"total":1,"successful":1,"failed":0}}""")
            .Respond(HttpStatusCode.NotFound, """{"error":{"root_cause":[],"type":"index_not_found_exception","reason":"no such index [old]"},"status":404}""");

        await client.PutIndexTemplateAsync(SearchIndices.Fills.Alias, SearchIndices.Fills.Template(), Ct);
        await client.CreateIndexAsync("coinage-fills-1", Ct);
        Assert.Equal(["coinage-fills-1"], await client.GetAliasIndicesAsync("coinage-fills", Ct));
        Assert.Empty(await client.GetAliasIndicesAsync("coinage-orders", Ct));
        await client.UpdateAliasesAsync([new AliasAction.Add("coinage-fills-2", "coinage-fills"), new AliasAction.RemoveIndex("coinage-fills-1"),
            new AliasAction.Remove("x-1", "x")], Ct);
        await client.RefreshAsync("coinage-fills-2", Ct);
        await client.DeleteIndexAsync("old", Ct);

        Assert.Equal(
        [
            "PUT /_index_template/coinage-fills", "PUT /coinage-fills-1", "GET /_alias/coinage-fills", "GET /_alias/coinage-orders",
            "POST /_aliases", "POST /coinage-fills-2/_refresh", "DELETE /old",
        ], handler.Requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
        Assert.Equal("{}", handler.Requests[1].Body);
        Assert.Equal("""{"actions":[{"add":{"index":"coinage-fills-2","alias":"coinage-fills"}},{"remove_index":{"index":"coinage-fills-1"}},{"remove":{"index":"x-1","alias":"x"}}]}""",
            handler.Requests[4].Body);
        var template = JsonNode.Parse(handler.Requests[0].Body)!;
        Assert.Equal("coinage-fills-*", template["index_patterns"]![0]!.GetValue<string>());
        Assert.Equal("strict", template["template"]!["mappings"]!["dynamic"]!.GetValue<string>());
        Assert.Equal("""{"type":"keyword","index":false}""", template["template"]!["mappings"]!["properties"]!["price"]!.ToJsonString());
        Assert.Equal("long", template["template"]!["mappings"]!["properties"]!["seq"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_mapping_update_adds_the_index_fields_to_the_live_indices_behind_an_alias()
    {
        var (client, handler) = Create();
        handler.Respond(HttpStatusCode.OK, """{"acknowledged":true}""");
        await client.PutMappingAsync(SearchIndices.Orders.Alias, SearchIndices.Orders.Properties, Ct);

        var request = Assert.Single(handler.Requests);
        Assert.Equal((HttpMethod.Put, "/coinage-orders/_mapping"), (request.Method, request.PathAndQuery));
        var body = JsonNode.Parse(request.Body)!.AsObject();
        Assert.Equal(["properties"], body.Select(p => p.Key));
        Assert.Equal("keyword", body["properties"]!["closeReason"]!["type"]!.GetValue<string>());
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
        Assert.All(fields, field => Assert.True(SearchIndices.Orders.Properties.ContainsKey(field), $"the orders mapping has no '{field}'"));
    }

    [Fact]
    public async Task Errors_become_exceptions_with_the_status_and_elasticsearch_error_type()
    {
        var (client, handler) = Create();
        handler.Respond(HttpStatusCode.NotFound, """
            {"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [coinage-audit]"}],"type":"index_not_found_exception","reason":"no such index [coinage-audit]","index":"coinage-audit"},"status":404}
            """);
        var exception = await Assert.ThrowsAsync<ElasticsearchException>(() => client.SearchAsync<AuditDocument>("coinage-audit", new JsonObject(), Ct));
        Assert.Equal((404, "index_not_found_exception"), (exception.StatusCode, exception.ErrorType));
        Assert.Contains("no such index [coinage-audit]", exception.Message, StringComparison.Ordinal);

        var unreachable = new ElasticsearchClient(new HttpClient(), ElasticsearchSettings.Parse("http://127.0.0.1:1"));
        var refused = await Assert.ThrowsAsync<ElasticsearchException>(() => unreachable.GetClusterHealthAsync(Ct));
        Assert.Null(refused.StatusCode);
    }

    [Theory]
    [InlineData("green", HealthStatus.Healthy)]
    [InlineData("yellow", HealthStatus.Degraded)]
    [InlineData("red", HealthStatus.Degraded)]
    public async Task The_health_check_reads_cluster_health_and_never_reports_unhealthy(string status, HealthStatus expected)
    {
        var (client, handler) = Create();
        // The cluster health reference's example response, with the status varied.
        handler.Respond(HttpStatusCode.OK, $$"""
            {"cluster_name":"testcluster","status":"{{status}}","timed_out":false,"number_of_nodes":1,"number_of_data_nodes":1,"active_primary_shards":1,
             "active_shards":1,"relocating_shards":0,"initializing_shards":0,"unassigned_shards":1,"delayed_unassigned_shards":0,"number_of_pending_tasks":0,
             "number_of_in_flight_fetch":0,"task_max_waiting_in_queue_millis":0,"active_shards_percent_as_number":50.0}
            """);
        var check = new ElasticsearchHealthCheck(client);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("elasticsearch", check, HealthStatus.Degraded, ElasticsearchExtensions.HealthCheckTags) };
        var result = await check.CheckHealthAsync(context, Ct);
        Assert.Equal(expected, result.Status);
        Assert.Equal("testcluster", result.Data["cluster"]);
        Assert.Equal("GET /_cluster/health", $"{handler.Requests[0].Method} {handler.Requests[0].PathAndQuery}");

        var down = new ElasticsearchHealthCheck(new ElasticsearchClient(new HttpClient(), ElasticsearchSettings.Parse("http://127.0.0.1:1")));
        Assert.Equal(HealthStatus.Degraded, (await down.CheckHealthAsync(context, Ct)).Status);
    }
}
