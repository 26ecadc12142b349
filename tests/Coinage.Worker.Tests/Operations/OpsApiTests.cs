using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coinage.Worker.Hangfire;
using Coinage.Worker.Operations;
using Coinage.Worker.Reconciliation;
using Coinage.Worker.Search;
using Hangfire;
using Hangfire.States;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coinage.Worker.Tests.Operations;

/// <summary>The endpoints behind the Aspire dashboard's commands on the worker: closed without the key, a Hangfire job with it.</summary>
public sealed class OpsApiTests(InfrastructureFixture infrastructure)
{
    private const string Key = "a-test-ops-key-of-reasonable-length";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A Worker on a migrated database of the test's own that neither matches nor reconciles by itself.</summary>
    private async Task<(string Database, WebApplicationFactory<Program> Worker)> WorkerAsync(string name, string? key)
    {
        var database = await infrastructure.CreateDatabaseAsync(name);
        await InfrastructureFixture.MigrateAsync(database);
        var worker = new WorkerFactory(database, infrastructure.RedisConnectionString).WithWebHostBuilder(b =>
        {
            b.UseSetting("Coinage:Reconciliation:Cron", "0 0 1 1 *").UseSetting("Coinage:Matching:Enabled", "false");
            if (key is not null)
            {
                b.UseSetting(OpsApi.KeySetting, key);
            }
        });
        return (database, worker);
    }

    [Fact]
    public async Task Without_a_configured_key_the_endpoints_do_not_exist()
    {
        var (_, worker) = await WorkerAsync("ops_nokey", key: null);
        await using var _ = worker;
        using var client = worker.CreateClient();

        using var request = Post("/ops/jobs/reconciliation", Key);
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a-test-ops-key-of-reasonable-lengtH")]
    [InlineData("a-test-ops-key-of-reasonable-length ")]
    public async Task A_missing_or_wrong_key_is_refused_with_problem_details_and_nothing_is_enqueued(string? presented)
    {
        var (database, worker) = await WorkerAsync("ops_badkey", Key);
        await using var _ = worker;
        using var client = worker.CreateClient();
        await worker.Services.GetRequiredService<JobsStartupGate>().WhenOpen.WaitAsync(TimeSpan.FromMinutes(1), Ct);

        using var request = Post("/ops/jobs/reconciliation", presented);
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(0L, await JobsOfAsync(database, nameof(ReconciliationJob)));
    }

    [Fact]
    public async Task With_the_key_reconciliation_runs_as_a_hangfire_job_to_completion_and_records_its_run()
    {
        var (database, worker) = await WorkerAsync("ops_recon", Key);
        await using var _ = worker;
        using var client = worker.CreateClient();
        await worker.Services.GetRequiredService<JobsStartupGate>().WhenOpen.WaitAsync(TimeSpan.FromMinutes(1), Ct);

        using var request = Post("/ops/jobs/reconciliation", Key);
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var triggered = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var jobId = triggered.GetProperty("jobId").GetString()!;
        Assert.Equal(ReconciliationJob.RecurringJobId, triggered.GetProperty("recurringJobId").GetString());
        Assert.Equal($"/hangfire/jobs/details/{jobId}", response.Headers.Location?.OriginalString);

        // The job as Hangfire's PostgreSQL storage holds it, run by this worker's Hangfire server.
        var storage = worker.Services.GetRequiredService<JobStorage>();
        string? state = null;
        for (var i = 0; i < 600 && state != SucceededState.StateName && state != FailedState.StateName; i++)
        {
            using var connection = storage.GetConnection();
            var job = connection.GetJobData(jobId);
            Assert.NotNull(job);
            Assert.Equal(nameof(ReconciliationJob), job.Job.Type.Name);
            state = job.State;
            await Task.Delay(100, Ct);
        }
        Assert.Equal(SucceededState.StateName, state);
        Assert.Equal(1L, await InfrastructureFixture.ScalarAsync<long>(database, "SELECT count(*) FROM reconciliation_runs"));
    }

    [Fact]
    public async Task Rebuilding_the_search_indices_without_elasticsearch_is_a_conflict_not_a_failed_job()
    {
        var (database, worker) = await WorkerAsync("ops_reindex", Key);
        await using var _ = worker;
        using var client = worker.CreateClient();
        await worker.Services.GetRequiredService<JobsStartupGate>().WhenOpen.WaitAsync(TimeSpan.FromMinutes(1), Ct);

        using var request = Post("/ops/jobs/search-reindex", Key);
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("Elasticsearch is not configured.", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(0L, await JobsOfAsync(database, nameof(SearchReindexer)));
    }

    /// <summary>Hangfire jobs of <paramref name="type"/> (the heartbeat's start-up run is there whatever the test does).</summary>
    private static Task<long> JobsOfAsync(string database, string type) =>
        InfrastructureFixture.ScalarAsync<long>(database, "SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE @type", ("type", $"%{type}%"));

    private static HttpRequestMessage Post(string path, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation(OpsApi.KeyHeader, key);
        }
        return request;
    }
}
