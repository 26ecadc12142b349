using Coinage.Domain.Search;
using Coinage.Tests.Search;
using Coinage.Worker.Search;

namespace Coinage.Worker.Tests.Search;

/// <summary>Bulk writes as the official client sends them, and what the writer makes of the items of the answer.</summary>
public sealed class SearchWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset At = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);

    private static readonly AuditDocument Audit = new(1, At, "user.registered", null, "0b6a4c35-51f3-4c39-9a50-3f7d7a3c1a11", "10.0.0.1", """{"email":"a@b.c"}""", "ab");

    private static readonly OrderDocument Order = new(7, "u7", "7", null, "BTC-USD", "buy", "limit", "GTC", false, "open", "50000", "0.1", null,
        "0", "0", null, "0", "USD", "5000", At, At.AddMilliseconds(1.5));

    private static readonly FillDocument Fill = new(14, "u7", "7", "7", "BTC-USD", "buy", "taker", "50000", "0.1", "5000", "5", "USD", At);

    [Fact]
    public async Task Bulk_sends_ndjson_action_and_source_lines_with_the_orders_external_version()
    {
        // The _bulk reference's example answer, one item per operation; the order's 409 means a newer version is stored.
        var es = new RecordedElasticsearch().Answer(200, """
            {"took":30,"errors":true,"items":[
              {"index":{"_index":"coinage-audit-1","_id":"1","_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"status":201,"_seq_no":0,"_primary_term":1}},
              {"index":{"_index":"coinage-orders-1","_id":"7","status":409,"error":{"type":"version_conflict_engine_exception","reason":"[7]: version conflict, current version [1764000000000002] is higher or equal to the one provided [1764000000000001]"}}},
              {"index":{"_index":"coinage-fills-1","_id":"7-taker","_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"status":201,"_seq_no":0,"_primary_term":1}}]}
            """);
        using var telemetry = new SearchTelemetry();
        var writer = new SearchWriter(es.CreateClient(), TimeProvider.System, telemetry);

        await writer.WriteAsync([SearchWriter.Audit("coinage-audit", Audit), SearchWriter.Order("coinage-orders", Order), SearchWriter.Fill("coinage-fills", Fill)], Ct);

        var request = Assert.Single(es.Requests);
        Assert.Equal("POST /_bulk", request.Line);
        Assert.Equal(
            """{"index":{"_id":"1","_index":"coinage-audit"}}""" + "\n" +
            """{"sequence":1,"occurredAt":"2026-11-24T09:30:00+00:00","action":"user.registered","subjectUserId":"0b6a4c35-51f3-4c39-9a50-3f7d7a3c1a11","ipAddress":"10.0.0.1","data":"{\u0022email\u0022:\u0022a@b.c\u0022}","hash":"ab"}""" + "\n" +
            """{"index":{"_id":"7","_index":"coinage-orders","version":1795512600001500,"version_type":"external_gte"}}""" + "\n" +
            """{"seq":7,"userId":"u7","id":"7","market":"BTC-USD","side":"buy","type":"limit","timeInForce":"GTC","postOnly":false,"status":"open","price":"50000","quantity":"0.1","filledQuantity":"0","filledQuote":"0","fee":"0","holdAsset":"USD","remainingHold":"5000","createdAt":"2026-11-24T09:30:00+00:00","updatedAt":"2026-11-24T09:30:00.0015+00:00"}""" + "\n" +
            """{"index":{"_id":"7-taker","_index":"coinage-fills"}}""" + "\n" +
            """{"seq":14,"userId":"u7","id":"7","orderId":"7","market":"BTC-USD","side":"buy","liquidity":"taker","price":"50000","quantity":"0.1","quoteAmount":"5000","fee":"5","feeAsset":"USD","createdAt":"2026-11-24T09:30:00+00:00"}""" + "\n",
            request.Body);
    }

    [Fact]
    public async Task Items_rejected_under_load_are_sent_again_alone_and_a_rejected_document_fails_the_batch()
    {
        var es = new RecordedElasticsearch()
            .Answer(200, """
                {"took":486,"errors":true,"items":[
                  {"index":{"_index":"coinage-audit-1","_id":"1","status":201,"result":"created"}},
                  {"index":{"_index":"coinage-fills-1","_id":"7-taker","status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation"}}}]}
                """)
            .Answer(200, """{"took":3,"errors":false,"items":[{"index":{"_index":"coinage-fills-1","_id":"7-taker","status":201,"result":"created"}}]}""")
            .Answer(200, """
                {"took":2,"errors":true,"items":[
                  {"delete":{"_index":"coinage-audit-1","_id":"9","status":404,"result":"not_found"}},
                  {"index":{"_index":"coinage-audit-1","_id":"1","status":400,"error":{"type":"strict_dynamic_mapping_exception","reason":"[1:2] mapping set to strict, dynamic introduction of [extra] within [_doc] is not allowed"}}}]}
                """);
        using var telemetry = new SearchTelemetry();
        var writer = new SearchWriter(es.CreateClient(), TimeProvider.System, telemetry);

        await writer.WriteAsync([SearchWriter.Audit("coinage-audit", Audit), SearchWriter.Fill("coinage-fills", Fill)], Ct);
        Assert.Equal(2, es.Requests.Count);
        Assert.Equal("""{"index":{"_id":"7-taker","_index":"coinage-fills"}}""", es.Requests[1].Body.Split('\n')[0]);

        var rejected = await Assert.ThrowsAsync<ElasticsearchException>(() => writer.WriteAsync(
            [new Elastic.Clients.Elasticsearch.Core.Bulk.BulkDeleteOperation("9") { Index = "coinage-audit" }, SearchWriter.Audit("coinage-audit", Audit)], Ct));
        Assert.Equal((400, "strict_dynamic_mapping_exception"), (rejected.StatusCode, rejected.ErrorType));
        Assert.Contains("1 of 2 bulk items failed", rejected.Message, StringComparison.Ordinal);
        Assert.Equal("""{"delete":{"_id":"9","_index":"coinage-audit"}}""", es.Requests[2].Body.Split('\n')[0]);
    }
}
