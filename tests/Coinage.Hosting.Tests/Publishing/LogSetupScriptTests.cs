using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Coinage.Hosting.Publishing;

namespace Coinage.Hosting.Tests.Publishing;

/// <summary>
/// The deployments' <c>logs-setup/setup.sh</c> run for real with sh and curl against two loopback HTTP servers that
/// answer as Elasticsearch and Kibana do: the requests it sends (method, path, body, credentials) and its exit code.
/// </summary>
public sealed class LogSetupScriptTests : IDisposable
{
    private const string ElasticPassword = "elasticPw123";
    private const string KibanaSystemPassword = "kibanaPw456";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("coinage-logs-setup-");

    private static string? Curl { get; } = new[] { "/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl" }.FirstOrDefault(File.Exists);

    private sealed record Request(string Server, string Method, string PathAndQuery, string? Authorization, string? ContentType, string? Xsrf, string Body);

    /// <summary>A loopback server that records each request and answers what <paramref name="answer"/> says.</summary>
    private sealed class FakeServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public FakeServer(string name, ConcurrentQueue<Request> log, Func<Request, (int Status, string Body)> answer)
        {
            Port = FreePort();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }
                    using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                    var request = new Request(name, context.Request.HttpMethod, context.Request.RawUrl!, context.Request.Headers["Authorization"],
                        context.Request.ContentType, context.Request.Headers["kbn-xsrf"], await reader.ReadToEndAsync());
                    log.Enqueue(request);
                    var (status, body) = answer(request);
                    context.Response.StatusCode = status;
                    context.Response.ContentType = "application/json";
                    var bytes = Encoding.UTF8.GetBytes(body);
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            });
        }

        public int Port { get; }

        public string Url => $"http://127.0.0.1:{Port}";

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }

    private async Task<(int ExitCode, string Output, List<Request> Requests)> RunAsync(Func<Request, (int Status, string Body)> elasticsearch, Func<Request, (int Status, string Body)> kibana)
    {
        if (Curl is null)
        {
            Assert.Skip("curl is not installed: the setup script cannot run.");
        }
        foreach (var (name, content) in LogStorage.SetupFiles)
        {
            await File.WriteAllTextAsync(Path.Combine(_directory.FullName, name), content, TestContext.Current.CancellationToken);
        }
        var log = new ConcurrentQueue<Request>();
        using var search = new FakeServer("es", log, elasticsearch);
        using var kibanaServer = new FakeServer("kibana", log, kibana);
        var start = new ProcessStartInfo("sh", [Path.Combine(_directory.FullName, "setup.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ES_URL"] = search.Url,
                ["KIBANA_URL"] = kibanaServer.Url,
                ["ELASTIC_PASSWORD"] = ElasticPassword,
                ["KIBANA_SYSTEM_PASSWORD"] = KibanaSystemPassword,
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error, [.. log]);
    }

    private static (int, string) Ok(string body = "{\"acknowledged\":true}") => (200, body);

    [Fact]
    public async Task It_waits_for_elasticsearch_then_applies_the_password_policy_templates_and_saved_objects_as_elastic()
    {
        var healthChecks = 0;
        var (exitCode, output, requests) = await RunAsync(
            elasticsearch: r => r.PathAndQuery.StartsWith("/_cluster/health", StringComparison.Ordinal) && Interlocked.Increment(ref healthChecks) == 1
                ? (503, "{\"error\":\"starting\"}")
                : Ok(),
            kibana: r => r.PathAndQuery.StartsWith("/api/saved_objects/_import", StringComparison.Ordinal) ? Ok("{\"success\":true,\"successCount\":3}") : Ok("{}"));

        Assert.True(exitCode == 0, output);
        Assert.Equal(
        [
            "es GET /_cluster/health?wait_for_status=yellow&timeout=5s",
            "es GET /_cluster/health?wait_for_status=yellow&timeout=5s",
            "es POST /_security/user/kibana_system/_password",
            "es PUT /_ilm/policy/coinage-logs",
            "es PUT /_index_template/coinage-logs",
            "es PUT /_index_template/coinage-traces",
            "es PUT /logs-coinage.*-*,traces-coinage.*-*/_settings?allow_no_indices=true&expand_wildcards=all",
            "kibana GET /api/status",
            "kibana POST /api/saved_objects/_import?overwrite=true",
        ], requests.Select(r => $"{r.Server} {r.Method} {r.PathAndQuery}"));

        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"elastic:{ElasticPassword}"));
        Assert.All(requests, r => Assert.Equal(basic, r.Authorization));
        Request Sent(string path) => requests.Last(r => r.PathAndQuery.StartsWith(path, StringComparison.Ordinal));

        Assert.Equal($"{{\"password\":\"{KibanaSystemPassword}\"}}", Sent("/_security/").Body);
        Assert.Equal(LogStorage.SetupFiles["ilm-policy.json"], Sent("/_ilm/").Body);
        Assert.Equal(LogStorage.SetupFiles["logs-index-template.json"], Sent("/_index_template/coinage-logs").Body);
        Assert.Equal(LogStorage.SetupFiles["traces-index-template.json"], Sent("/_index_template/coinage-traces").Body);
        Assert.Equal("{\"index\":{\"lifecycle\":{\"name\":\"coinage-logs\"}}}", Sent("/logs-coinage").Body);
        Assert.All(requests.Where(r => r.Method is "PUT" or "POST" && r.Server == "es"), r => Assert.Equal("application/json", r.ContentType));

        var import = Sent("/api/saved_objects/_import");
        Assert.Equal("true", import.Xsrf);
        Assert.StartsWith("multipart/form-data", import.ContentType, StringComparison.Ordinal);
        Assert.Contains("name=\"file\"; filename=\"saved-objects.ndjson\"", import.Body, StringComparison.Ordinal);
        Assert.Contains(LogStorage.SetupFiles["saved-objects.ndjson"], import.Body, StringComparison.Ordinal);
        Assert.Contains("Kibana saved objects imported", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_fails_when_kibana_refuses_the_saved_objects_so_the_job_is_retried()
    {
        var (exitCode, output, _) = await RunAsync(
            elasticsearch: _ => Ok(),
            kibana: r => r.PathAndQuery.StartsWith("/api/saved_objects/_import", StringComparison.Ordinal)
                ? Ok("{\"success\":false,\"errors\":[{\"id\":\"coinage-logs\",\"error\":{\"type\":\"unknown\"}}]}")
                : Ok("{}"));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Kibana refused the saved objects", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_fails_when_elasticsearch_refuses_the_lifecycle_policy()
    {
        var (exitCode, _, requests) = await RunAsync(
            elasticsearch: r => r.PathAndQuery.StartsWith("/_ilm/", StringComparison.Ordinal) ? (400, "{\"error\":\"bad policy\"}") : Ok(),
            kibana: _ => Ok("{\"success\":true}"));

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain(requests, r => r.Server == "kibana");
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
