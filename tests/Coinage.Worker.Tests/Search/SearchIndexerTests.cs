using System.Text.Json;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Search;
using Coinage.Tests.Search;
using Elastic.Clients.Elasticsearch;
using Coinage.Worker.Search;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coinage.Worker.Tests.Search;

/// <summary>
/// The indexer against real PostgreSQL. Without Elasticsearch (the usual test machine) it only records
/// erasures and leaves order updates waiting; with <c>COINAGE_TEST_ELASTICSEARCH_URL</c> set it is run
/// against that server end to end (the server's <c>coinage-*</c> indices are rebuilt: use a test server).
/// </summary>
public sealed class SearchIndexerTests(InfrastructureFixture infrastructure)
{
    public const string ElasticsearchUrlVariable = "COINAGE_TEST_ELASTICSEARCH_URL";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_elasticsearch_erasures_are_recorded_and_order_updates_wait_for_a_server()
    {
        await using var factory = new WorkerFactory(infrastructure);
        var db = infrastructure.PostgresConnectionString;
        var user = Guid.NewGuid();
        var erasure = await InsertOutboxAsync(db, SearchIndexer.UserErasedType, JsonSerializer.Serialize(new { userId = user, pseudonym = "erased-41c2" }));
        var malformed = await InsertOutboxAsync(db, SearchIndexer.UserErasedType, """{"userId":"not-a-guid","pseudonym":"x"}""");
        var orders = await InsertOutboxAsync(db, SearchIndexer.OrdersUpdatedType, """{"market":"BTC-USD","orders":[{"id":"1","owner":1,"status":"Open"}],"trades":0}""");

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.Null(scope.ServiceProvider.GetService<ElasticsearchClient>());
            var run = await scope.ServiceProvider.GetRequiredService<SearchIndexer>().RunAsync(Ct);
            Assert.True(run.Idle);
        }

        Assert.Equal("erased-41c2", await InfrastructureFixture.ScalarAsync<string>(db, "SELECT pseudonym FROM search_erasures WHERE user_id = @id", ("id", user)));
        Assert.Null(await InfrastructureFixture.ScalarAsync<DateTime?>(db, "SELECT index_cleaned_at FROM search_erasures WHERE user_id = @id", ("id", user)));
        Assert.NotNull(await InfrastructureFixture.ScalarAsync<DateTime?>(db, "SELECT processed_at FROM outbox_messages WHERE id = @id", ("id", erasure)));
        // A payload that breaks contract D is kept with its error and backed off, never silently dropped.
        Assert.Null(await InfrastructureFixture.ScalarAsync<DateTime?>(db, "SELECT processed_at FROM outbox_messages WHERE id = @id", ("id", malformed)));
        Assert.True(await InfrastructureFixture.ScalarAsync<int>(db, "SELECT attempts FROM outbox_messages WHERE id = @id", ("id", malformed)) >= 1);
        Assert.Contains("pseudonym", await InfrastructureFixture.ScalarAsync<string>(db, "SELECT last_error FROM outbox_messages WHERE id = @id", ("id", malformed)), StringComparison.Ordinal);
        Assert.Null(await InfrastructureFixture.ScalarAsync<DateTime?>(db, "SELECT processed_at FROM outbox_messages WHERE id = @id", ("id", orders)));
        Assert.Equal(0, await InfrastructureFixture.ScalarAsync<int>(db, "SELECT attempts FROM outbox_messages WHERE id = @id", ("id", orders)));

        // A replay of the same erasure (at-least-once delivery) keeps the first record.
        await InsertOutboxAsync(db, SearchIndexer.UserErasedType, JsonSerializer.Serialize(new { userId = user, pseudonym = "other" }));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SearchIndexer>().RunAsync(Ct);
        }
        Assert.Equal("erased-41c2", await InfrastructureFixture.ScalarAsync<string>(db, "SELECT pseudonym FROM search_erasures WHERE user_id = @id", ("id", user)));
    }

    [Fact]
    public async Task With_elasticsearch_configured_but_down_order_updates_keep_their_attempts()
    {
        await using var factory = new WorkerFactory(infrastructure);
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var configured = factory.WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:elasticsearch", $"http://elastic:pw@127.0.0.1:{port}"));
        var db = infrastructure.PostgresConnectionString;
        var orders = await InsertOutboxAsync(db, SearchIndexer.OrdersUpdatedType, """{"market":"BTC-USD","orders":[{"id":"2","owner":1,"status":"Open"}],"trades":0}""");
        var user = Guid.NewGuid();
        await InsertOutboxAsync(db, SearchIndexer.UserErasedType, JsonSerializer.Serialize(new { userId = user, pseudonym = "erased-down" }));

        await using (var scope = configured.Services.CreateAsyncScope())
        {
            Assert.NotNull(scope.ServiceProvider.GetService<ElasticsearchClient>());
            Assert.True((await scope.ServiceProvider.GetRequiredService<SearchIndexer>().RunAsync(Ct)).Idle);
            // The breaker is open now: the next run does not even probe.
            Assert.False(scope.ServiceProvider.GetRequiredService<ElasticsearchBreaker>().IsClosed(DateTimeOffset.UtcNow));
        }
        Assert.Equal("erased-down", await InfrastructureFixture.ScalarAsync<string>(db, "SELECT pseudonym FROM search_erasures WHERE user_id = @id", ("id", user)));
        Assert.Equal(0, await InfrastructureFixture.ScalarAsync<int>(db, "SELECT attempts FROM outbox_messages WHERE id = @id", ("id", orders)));
        Assert.Null(await InfrastructureFixture.ScalarAsync<DateTime?>(db, "SELECT processed_at FROM outbox_messages WHERE id = @id", ("id", orders)));
    }

    [Fact]
    public void Order_update_payloads_of_the_matching_host_are_read()
    {
        Assert.Equal([42L, 43L], SearchIndexer.OrderIds("""{"market":"BTC-USD","orders":[{"id":"42","owner":7,"status":"Filled"},{"id":"43","owner":8,"status":"Open"}],"trades":1}"""));
        Assert.Empty(SearchIndexer.OrderIds("""{"market":"BTC-USD"}"""));
        Assert.True(SearchIndexer.TryParseErasure("""{"userId":"0b6a4c35-51f3-4c39-9a50-3f7d7a3c1a11","pseudonym":"erased-1"}""", out var user, out var pseudonym));
        Assert.Equal((Guid.Parse("0b6a4c35-51f3-4c39-9a50-3f7d7a3c1a11"), "erased-1"), (user, pseudonym));
        Assert.False(SearchIndexer.TryParseErasure("""{"userId":"0b6a4c35-51f3-4c39-9a50-3f7d7a3c1a11","pseudonym":""}""", out _, out _));
        Assert.False(SearchIndexer.TryParseErasure("[]", out _, out _));
        Assert.False(SearchIndexer.TryParseErasure("not json", out _, out _));
    }

    [Fact]
    public async Task A_reindex_builds_versioned_indices_from_postgresql_and_swaps_the_aliases_in_one_call()
    {
        var db = await infrastructure.CreateDatabaseAsync("search");
        await InfrastructureFixture.MigrateAsync(db);
        // Elasticsearch is not configured for the host (its recurring indexer stays idle); the reindex
        // gets the official client over the recorded transport, answering as a server would.
        await using var factory = new WorkerFactory(db, infrastructure.RedisConnectionString);
        await AppendAuditAsync(db, "auth.signed_in", Guid.NewGuid(), "10.9.8.7", new { email = "reindex@search.test" });
        await AppendAuditAsync(db, "auth.signed_out", Guid.NewGuid(), "10.9.8.8", new { });
        var es = new RecordedElasticsearch().Otherwise(request => request switch
        {
            { Method: "PUT", PathAndQuery: var path } when path.StartsWith("/_index_template/", StringComparison.Ordinal) => (200, """{"acknowledged":true}"""),
            { Method: "PUT", PathAndQuery: var path } => (200, $$"""{"acknowledged":true,"shards_acknowledged":true,"index":"{{path[1..]}}"}"""),
            { Method: "POST", PathAndQuery: "/_bulk" } => (200, BulkAnswer(request.Body)),
            { Method: "POST", PathAndQuery: var path } when path.EndsWith("/_refresh", StringComparison.Ordinal) => (200, """{"_shards":{"total":1,"successful":1,"failed":0}}"""),
            // The get-alias reference's answers: the audit alias exists (on an older index), the others do not yet.
            { Method: "GET", PathAndQuery: "/_alias/coinage-audit" } => (200, """{"coinage-audit-20261101000000000":{"aliases":{"coinage-audit":{}}}}"""),
            { Method: "GET" } => (404, $$"""{"error":"alias [{{request.PathAndQuery[7..]}}] missing","status":404}"""),
            { Method: "POST", PathAndQuery: "/_aliases" } => (200, """{"acknowledged":true,"errors":false}"""),
            _ => (400, """{"error":{"type":"unexpected_request","reason":"not part of a reindex"},"status":400}"""),
        });

        SearchReindexResult result;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var client = es.CreateClient();
            var writer = new SearchWriter(client, TimeProvider.System, scope.ServiceProvider.GetRequiredService<SearchTelemetry>());
            result = await ActivatorUtilities.CreateInstance<SearchReindexer>(scope.ServiceProvider, client, writer).ReindexAsync(Ct);
        }

        var audit = Assert.Single(result.Indices, i => i.StartsWith("coinage-audit-", StringComparison.Ordinal));
        var version = audit["coinage-audit-".Length..];
        Assert.Matches(@"^\d{17}$", version);
        Assert.Equal(["coinage-audit-" + version, "coinage-fills-" + version, "coinage-orders-" + version], result.Indices);
        Assert.Equal(
        [
            "PUT /_index_template/coinage-audit", "PUT /_index_template/coinage-orders", "PUT /_index_template/coinage-fills",
            $"PUT /coinage-audit-{version}", $"PUT /coinage-orders-{version}", $"PUT /coinage-fills-{version}",
            "POST /_bulk",
            $"POST /coinage-audit-{version}/_refresh", $"POST /coinage-orders-{version}/_refresh", $"POST /coinage-fills-{version}/_refresh",
            "GET /_alias/coinage-audit", "GET /_alias/coinage-orders", "GET /_alias/coinage-fills",
            "POST /_aliases",
        ], es.Requests.Select(r => r.Line));
        // Every audit entry, into the new index (not through the alias, which still names the old one).
        var bulk = es.Requests.Single(r => r.Line == "POST /_bulk").Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(result.AuditEntries * 2, bulk.Length);
        Assert.All(bulk.Where((_, i) => i % 2 == 0), line => Assert.Contains($"\"_index\":\"coinage-audit-{version}\"", line, StringComparison.Ordinal));
        Assert.Contains(bulk, line => line.Contains("reindex@search.test", StringComparison.Ordinal));
        Assert.Equal(
            $$$"""{"actions":[{"add":{"alias":"coinage-audit","index":"coinage-audit-{{{version}}}"}},{"remove_index":{"index":"coinage-audit-20261101000000000"}},""" +
            $$$"""{"add":{"alias":"coinage-orders","index":"coinage-orders-{{{version}}}"}},{"add":{"alias":"coinage-fills","index":"coinage-fills-{{{version}}}"}}]}""",
            es.Requests[^1].Body);
        // The incremental indexer goes on from the last entry written, in the new index.
        Assert.Equal(audit, await InfrastructureFixture.ScalarAsync<string>(db, "SELECT index FROM search_checkpoints WHERE name = 'audit'"));
        Assert.Equal(await InfrastructureFixture.ScalarAsync<long>(db, "SELECT max(sequence) FROM audit_entries"),
            await InfrastructureFixture.ScalarAsync<long>(db, "SELECT position FROM search_checkpoints WHERE name = 'audit'"));
    }

    [Fact]
    public async Task An_erasure_deletes_the_users_orders_and_fills_and_rewrites_their_audit_entries_pseudonymised()
    {
        var db = await infrastructure.CreateDatabaseAsync("search");
        await InfrastructureFixture.MigrateAsync(db);
        await using var factory = new WorkerFactory(db, infrastructure.RedisConnectionString);
        var erased = Guid.NewGuid();
        await AppendAuditAsync(db, "auth.signed_in", erased, "10.9.8.7", new { email = "erased@search.test" });
        await InsertOutboxAsync(db, SearchIndexer.UserErasedType, JsonSerializer.Serialize(new { userId = erased, pseudonym = "erased-5e1f" }));
        var es = new RecordedElasticsearch().Otherwise(request => request switch
        {
            { Method: "GET", PathAndQuery: "/_cluster/health" } => (200, """
                {"cluster_name":"coinage","status":"green","timed_out":false,"number_of_nodes":1,"number_of_data_nodes":1,"active_primary_shards":3,"active_shards":3,
                 "relocating_shards":0,"initializing_shards":0,"unassigned_shards":0,"unassigned_primary_shards":0,"delayed_unassigned_shards":0,"number_of_pending_tasks":0,
                 "number_of_in_flight_fetch":0,"task_max_waiting_in_queue_millis":0,"active_shards_percent_as_number":100.0}
                """),
            { Method: "GET", PathAndQuery: var path } when path.StartsWith("/_alias/", StringComparison.Ordinal) =>
                (200, JsonSerializer.Serialize(new Dictionary<string, object> { [$"{path[8..]}-20261101000000000"] = new { aliases = new Dictionary<string, object> { [path[8..]] = new { } } } })),
            // The delete-by-query reference's example answer.
            { Method: "POST", PathAndQuery: var path } when path.Contains("/_delete_by_query", StringComparison.Ordinal) => (200, """
                {"took":147,"timed_out":false,"total":2,"deleted":2,"batches":1,"version_conflicts":0,"noops":0,
                 "retries":{"bulk":0,"search":0},"throttled_millis":0,"requests_per_second":-1.0,"throttled_until_millis":0,"failures":[]}
                """),
            { Method: "POST", PathAndQuery: "/_bulk" } => (200, BulkAnswer(request.Body)),
            // The first run of a process brings the live indices' templates and mappings up to date.
            { Method: "PUT", PathAndQuery: var path } when path.StartsWith("/_index_template/", StringComparison.Ordinal) || path.EndsWith("/_mapping", StringComparison.Ordinal) =>
                (200, """{"acknowledged":true}"""),
            _ => (400, """{"error":{"type":"unexpected_request","reason":"not part of an indexer run"},"status":400}"""),
        });

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var client = es.CreateClient();
            var writer = new SearchWriter(client, TimeProvider.System, scope.ServiceProvider.GetRequiredService<SearchTelemetry>());
            var reindexer = ActivatorUtilities.CreateInstance<SearchReindexer>(scope.ServiceProvider, client, writer);
            var indexer = ActivatorUtilities.CreateInstance<SearchIndexer>(scope.ServiceProvider, reindexer, client, writer);
            var run = await indexer.RunAsync(Ct);
            Assert.Equal((1, false), (run.Erasures, run.Idle));
        }

        var user = erased.ToString("D");
        var deletes = es.Requests.Where(r => r.PathAndQuery.Contains("/_delete_by_query", StringComparison.Ordinal)).ToList();
        Assert.Equal(["POST /coinage-orders/_delete_by_query?conflicts=proceed&refresh=true", "POST /coinage-fills/_delete_by_query?conflicts=proceed&refresh=true"],
            deletes.Select(r => r.Line));
        Assert.All(deletes, d => Assert.Equal(JsonSerializer.Serialize(new { query = new { term = new { userId = new { value = user } } } }), d.Body));
        // Right after the deletes, the user's audit entries are written again through the alias, pseudonymised.
        var rewrite = es.Requests[es.Requests.IndexOf(deletes[^1]) + 1];
        Assert.Equal("POST /_bulk", rewrite.Line);
        var lines = rewrite.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("""{"index":{"_id":""", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"_index\":\"coinage-audit\"", lines[0], StringComparison.Ordinal);
        Assert.All(lines.Where((_, i) => i % 2 == 1), document =>
        {
            Assert.Contains("\"actorUserId\":\"erased-5e1f\"", document, StringComparison.Ordinal);
            Assert.DoesNotContain(user, document, StringComparison.Ordinal);
            Assert.DoesNotContain("ipAddress", document, StringComparison.Ordinal);
            Assert.Contains("\"data\":\"{}\"", document, StringComparison.Ordinal);
        });
        Assert.NotNull(await InfrastructureFixture.ScalarAsync<DateTime?>(db, "SELECT index_cleaned_at FROM search_erasures WHERE user_id = @id", ("id", erased)));
    }

    /// <summary>A bulk answer acknowledging every index action of the NDJSON body, as a server does.</summary>
    private static string BulkAnswer(string body)
    {
        var items = body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(line => line.TryGetProperty("index", out _))
            .Select(line => line.GetProperty("index"))
            .Select(action => $$$"""{"index":{"_index":"{{{action.GetProperty("_index").GetString()}}}","_id":"{{{action.GetProperty("_id").GetString()}}}","_version":1,"result":"created","status":201}}""");
        return $$"""{"took":3,"errors":false,"items":[{{string.Join(',', items)}}]}""";
    }

    [Fact]
    public async Task With_a_real_elasticsearch_the_indexer_builds_indexes_incrementally_searches_and_erases()
    {
        var url = Environment.GetEnvironmentVariable(ElasticsearchUrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            Assert.Skip($"{ElasticsearchUrlVariable} is not set: no Elasticsearch server to test against.");
        }
        var db = await infrastructure.CreateDatabaseAsync("search");
        await InfrastructureFixture.MigrateAsync(db);
        await using var factory = new WorkerFactory(db, infrastructure.RedisConnectionString);
        await using var configured = factory.WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:elasticsearch", url));
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        await AppendAuditAsync(db, "auth.signed_in", alice, "10.9.8.7", new { email = "alice@search.test" });
        await AppendAuditAsync(db, "auth.sign_in_failed", bob, "10.1.1.1", new { reason = "invalid_credentials" });

        await using (var scope = configured.Services.CreateAsyncScope())
        {
            var reindex = await scope.ServiceProvider.GetRequiredService<SearchReindexer>().ReindexAsync(Ct);
            Assert.Equal(2, reindex.AuditEntries);
            Assert.All(reindex.Indices, i => Assert.Matches(@"^coinage-(audit|orders|fills)-\d{17}$", i));
        }
        await AppendAuditAsync(db, "auth.password_changed", alice, "10.9.8.7", new { });
        await using (var scope = configured.Services.CreateAsyncScope())
        {
            await RunUntilNotIdleAsync(scope.ServiceProvider);
            await scope.ServiceProvider.GetRequiredService<ElasticsearchClient>().Indices.RefreshAsync(new Elastic.Clients.Elasticsearch.IndexManagement.RefreshRequest(SearchIndices.Audit.Alias), Ct);
            var search = scope.ServiceProvider.GetRequiredService<SearchService>();
            var byIp = await search.SearchAuditAsync(new AuditSearchQuery("10.9.8.7", [], null, null, null, 10), Ct);
            Assert.Equal("elasticsearch", byIp.Source);
            Assert.Equal(["auth.password_changed", "auth.signed_in"], byIp.Result.Items.Select(i => i.Action));
            Assert.Equal(2, byIp.Result.Actions.Sum(a => a.Count));
            var words = await search.SearchAuditAsync(new AuditSearchQuery("sign failed", [], null, null, null, 10), Ct);
            Assert.Equal(bob.ToString("D"), Assert.Single(words.Result.Items).ActorUserId);
            var page = await search.SearchAuditAsync(new AuditSearchQuery(alice.ToString("D"), [], null, null, null, 1), Ct);
            Assert.NotNull(page.Result.NextCursor);
            var next = await search.SearchAuditAsync(new AuditSearchQuery(alice.ToString("D"), [], null, null, long.Parse(page.Result.NextCursor, System.Globalization.CultureInfo.InvariantCulture), 1), Ct);
            Assert.Equal("auth.signed_in", Assert.Single(next.Result.Items).Action);
        }

        await InsertOutboxAsync(db, SearchIndexer.UserErasedType, JsonSerializer.Serialize(new { userId = alice, pseudonym = "erased-alice" }));
        await using (var scope = configured.Services.CreateAsyncScope())
        {
            await RunUntilNotIdleAsync(scope.ServiceProvider);
            await scope.ServiceProvider.GetRequiredService<ElasticsearchClient>().Indices.RefreshAsync(new Elastic.Clients.Elasticsearch.IndexManagement.RefreshRequest(SearchIndices.Audit.Alias), Ct);
            var search = scope.ServiceProvider.GetRequiredService<SearchService>();
            Assert.Empty((await search.SearchAuditAsync(new AuditSearchQuery("10.9.8.7", [], null, null, null, 10), Ct)).Result.Items);
            Assert.Empty((await search.SearchAuditAsync(new AuditSearchQuery("alice@search.test", [], null, null, null, 10), Ct)).Result.Items);
            var pseudonymised = await search.SearchAuditAsync(new AuditSearchQuery("erased-alice", [], null, null, null, 10), Ct);
            Assert.Equal(2, pseudonymised.Result.Items.Count);
            Assert.All(pseudonymised.Result.Items, i => Assert.Equal((null, "{}"), (i.IpAddress, i.Data)));
        }
        Assert.NotNull(await InfrastructureFixture.ScalarAsync<DateTime?>(db, "SELECT index_cleaned_at FROM search_erasures WHERE user_id = @id", ("id", alice)));
    }

    /// <summary>This host's recurring indexer may hold the lock at the moment: run again until this run did the work.</summary>
    private static async Task RunUntilNotIdleAsync(IServiceProvider services)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (!(await services.GetRequiredService<SearchIndexer>().RunAsync(Ct)).Idle)
            {
                return;
            }
            await Task.Delay(200, Ct);
        }
        Assert.Fail("The indexer never got its lock.");
    }

    private static async Task AppendAuditAsync(string database, string action, Guid user, string ip, object data)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        var options = new DbContextOptionsBuilder<CoinageDbContext>();
        CoinageDbContext.Configure(options, dataSource);
        await using var context = new CoinageDbContext(options.Options);
        await using var transaction = await context.Database.BeginTransactionAsync(Ct);
        await AuditLog.AppendAsync(context, action, DateTimeOffset.UtcNow, user, user, ip, data, Ct);
        await context.SaveChangesAsync(Ct);
        await transaction.CommitAsync(Ct);
    }

    private static async Task<Guid> InsertOutboxAsync(string database, string type, string payload)
    {
        var id = Guid.CreateVersion7();
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO outbox_messages (id, type, payload, created_at, attempts, next_attempt_at) VALUES (@id, @type, @payload::jsonb, now(), 0, now())", connection);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("type", type);
        insert.Parameters.AddWithValue("payload", payload);
        await insert.ExecuteNonQueryAsync(Ct);
        return id;
    }
}
