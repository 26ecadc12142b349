using System.Net;
using System.Net.Sockets;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Coinage.Hosting.Tests.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinage.Hosting.Tests;

/// <summary>The dashboard commands on the worker (docs/operations.md) in the AppHost's model: there on a local run, with the run's key; never published.</summary>
public sealed class OpsCommandsTests : IDisposable
{
    private const string RunKey = "the-ops-key-of-this-run";
    private readonly TemporaryDirectory _data = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task On_a_local_run_the_worker_carries_the_commands_and_is_handed_the_key_they_send()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Coinage_AppHost>(
            ["--Coinage:ContainerRuntime=none", $"--Coinage:DataDirectory={_data.Path}", $"--Parameters:ops-key={RunKey}"], Ct);
        var worker = (ProjectResource)builder.Resources.Single(r => r.Name == "worker");

        var commands = worker.Annotations.OfType<ResourceCommandAnnotation>().ToDictionary(c => c.Name);
        Assert.Equal("Run reconciliation now", commands["run-reconciliation"].DisplayName);
        Assert.Equal("Rebuild search indices", commands["rebuild-search"].DisplayName);
        Assert.NotNull(commands["rebuild-search"].ConfirmationMessage); // it replaces every index
        Assert.Equal("Trigger the heartbeat", commands["trigger-heartbeat"].DisplayName);
        Assert.Equal("{ops-key.value}", (await EnvironmentAsync(worker))[OpsCommands.KeyVariable]);
        Assert.True(builder.Resources.OfType<ParameterResource>().Single(p => p.Name == "ops-key").Secret);

        // The request the command sends, to a listener standing in for the worker's http endpoint.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var http = worker.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http");
        http.AllocatedEndpoint = new AllocatedEndpoint(http, "127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port);
        await using var services = new ServiceCollection().AddHttpClient().AddLogging().BuildServiceProvider();
        var execution = commands["run-reconciliation"].ExecuteCommand(new ExecuteCommandContext
        {
            Services = services,
            Arguments = new InteractionInputCollection([]),
            ResourceName = "worker",
            CancellationToken = Ct,
            Logger = NullLogger.Instance,
        });
        var request = await AnswerAsync(listener, "HTTP/1.1 202 Accepted", """{"jobId":"4711","recurringJobId":"reconciliation"}""");
        var result = await execution.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.StartsWith("POST /ops/jobs/reconciliation HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains($"\r\n{OpsCommands.KeyHeader}: {RunKey}\r\n", request, StringComparison.OrdinalIgnoreCase);
        Assert.True(result.Success, result.Message);
        Assert.Contains("Hangfire job 4711 (reconciliation)", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_is_shown_as_a_failure_with_the_service_s_reason()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Conflict)
        {
            Content = new StringContent("""{"status":409,"title":"Elasticsearch is not configured.","detail":"Search runs on PostgreSQL."}""", Encoding.UTF8, "application/problem+json"),
        };
        var result = await OpsCommands.ResultAsync(new HttpCommandResultContext
        {
            Services = new ServiceCollection().BuildServiceProvider(),
            ResourceName = "worker",
            Endpoint = null!,
            CancellationToken = Ct,
            HttpClient = null!,
            Response = response,
        });

        Assert.False(result.Success);
        Assert.Equal("worker answered 409 Conflict: Elasticsearch is not configured. Search runs on PostgreSQL.", result.Message);
    }

    [Fact]
    public async Task A_published_model_has_neither_the_commands_nor_the_key()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Coinage_AppHost>(
            ["--operation", "publish", "--step", "none", $"--Coinage:DataDirectory={_data.Path}"], Ct);
        var worker = (ProjectResource)builder.Resources.Single(r => r.Name == "worker");

        Assert.DoesNotContain(worker.Annotations.OfType<ResourceCommandAnnotation>(), c => c.Name is "run-reconciliation" or "rebuild-search" or "trigger-heartbeat");
        Assert.DoesNotContain(OpsCommands.KeyVariable, (await EnvironmentAsync(worker)).Keys);
    }

    public void Dispose() => _data.Dispose();

#pragma warning disable CS0618 // Its replacement (ExecutionConfigurationBuilder) needs a running app's services; this reads the model alone.
    private static ValueTask<Dictionary<string, string>> EnvironmentAsync(ProjectResource project) =>
        project.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
#pragma warning restore CS0618

    /// <summary>Reads one HTTP request from the next connection and answers it; returns the request's head.</summary>
    private static async Task<string> AnswerAsync(TcpListener listener, string status, string json)
    {
        using var client = await listener.AcceptTcpClientAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var stream = client.GetStream();
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, Ct);
            Assert.True(read > 0, "the connection closed before the request was complete");
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        var body = Encoding.UTF8.GetBytes(json);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{status}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), Ct);
        await stream.WriteAsync(body, Ct);
        return head.ToString();
    }
}
