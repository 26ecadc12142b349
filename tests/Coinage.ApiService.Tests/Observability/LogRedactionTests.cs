using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Coinage.ApiService.Tests.Identity;
using Coinage.ServiceDefaults.Compliance;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Observability;

public sealed class LogRedactionTests(InfrastructureFixture infrastructure)
{
    private const string ClientIp = "203.0.113.77";

    [Fact]
    public async Task Emails_and_client_ips_reach_the_logs_only_as_hmac_tokens()
    {
        var capture = new ConsoleOutputCapture();
        await using var api = new ApiFactory(infrastructure);
        await using var factory = Capturing(api, capture);
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-For", ClientIp);
        var email = NewEmail("redacted");

        await client.RegisterAsync(email);
        await client.LoginAsync(email);
        using (var wrong = await client.PostAsync("/api/v1/auth/login", new { email, password = "not the password at all 1" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        var redactor = factory.Services.GetRequiredService<IRedactorProvider>().GetRedactor(CoinageTaxonomy.PersonalData);
        var emailToken = redactor.Redact(email);
        var ipToken = redactor.Redact(ClientIp);
        var text = capture.Text;
        // The forwarded address is the one the API saw (it trusts its loopback proxy), so the lines are about this client.
        Assert.Contains($"({emailToken}) registered from {ipToken}", text, StringComparison.Ordinal);
        Assert.Contains($"({emailToken}) signed in from {ipToken}", text, StringComparison.Ordinal);
        Assert.Contains($"Sign-in refused (invalid_credentials) for {emailToken}", text, StringComparison.Ordinal);
        Assert.DoesNotContain(email, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ClientIp, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        // Same input, same token: lines about one person can still be followed.
        Assert.Equal(emailToken, redactor.Redact(email));
        Assert.NotEqual(email, emailToken);
    }

    [Fact]
    public async Task Outside_development_the_console_writes_one_json_object_per_line_with_the_trace_id()
    {
        var capture = new ConsoleOutputCapture();
        await using var api = new ApiFactory(infrastructure);
        await using var factory = Capturing(api, capture, builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Coinage:Security:RedirectToHttps", "false");
        });
        var client = factory.CreateClient();
        var traceId = ActivityTraceId.CreateRandom();
        var email = NewEmail("json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/auth/login", UriKind.Relative))
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { email, password = "whatever it is 12345" }),
        };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        request.Headers.Add("X-Forwarded-For", ClientIp);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var lines = capture.Lines;
        Assert.NotEmpty(lines);
        var documents = lines.Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
        var refused = Assert.Single(documents, d => d.GetProperty("Message").GetString()!.StartsWith("Sign-in refused", StringComparison.Ordinal));
        var timestamp = refused.GetProperty("Timestamp").GetString()!;
        Assert.EndsWith("Z", timestamp, StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(timestamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at));
        Assert.InRange(DateTimeOffset.UtcNow - at, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        var scopes = refused.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out var id) && id.GetString() == traceId.ToHexString());
        Assert.Contains(scopes, s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("SpanId", out _));
        // The structured state is redacted too, not only the message.
        Assert.DoesNotContain(email, lines.First(l => l.Contains("Sign-in refused", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ClientIp, capture.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Urls_in_framework_lines_keep_their_path_but_lose_their_query_values_in_the_message_and_the_state()
    {
        var capture = new ConsoleOutputCapture();
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            // As verbose as a deployment could make ASP.NET Core's own request lines.
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
        });
        await using var factory = Capturing(api, capture, builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Coinage:Security:RedirectToHttps", "false");
        });
        var secret = $"eyJ{Guid.NewGuid():N}";

        using var response = await factory.CreateClient().GetAsync($"/api/v1/status?market=BTC-USD&access_token={secret}", Ct);

        var starting = capture.Lines.Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .Single(d => d.GetProperty("Message").GetString()!.StartsWith("Request starting", StringComparison.Ordinal));
        Assert.Contains("/api/v1/status?market=[redacted]&access_token=[redacted]", starting.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.Equal("?market=[redacted]&access_token=[redacted]", starting.GetProperty("State").GetProperty("QueryString").GetString());
        Assert.Equal("/api/v1/status", starting.GetProperty("State").GetProperty("Path").GetString());
        Assert.DoesNotContain(secret, capture.Text, StringComparison.Ordinal);
    }

    private static WebApplicationFactory<Program> Capturing(ApiFactory factory, ConsoleOutputCapture capture, Action<IWebHostBuilder>? configure = null) =>
        factory.WithWebHostBuilder(builder =>
        {
            builder.ConfigureServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, LoopbackProxyStartupFilter>());
            ConsoleOutputCapture.AddTo(builder, capture);
            configure?.Invoke(builder);
        });
}
