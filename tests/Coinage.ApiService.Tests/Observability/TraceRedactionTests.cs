using System.Diagnostics;
using System.Net;
using Coinage.ApiService.Tests.Identity;
using Coinage.ServiceDefaults.Compliance;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Observability;

public sealed class TraceRedactionTests(InfrastructureFixture infrastructure)
{
    private const string ClientIp = "203.0.113.91";
    private const string UserAgent = "PrivacyProbe/1.0 (unique-agent-7f3a)";

    [Fact]
    public async Task Exported_spans_carry_no_email_address_user_agent_or_query_value()
    {
        var exported = new List<Activity>();
        await using var api = new ApiFactory(infrastructure);
        await using var factory = api.WithWebHostBuilder(builder =>
        {
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<IStartupFilter, LoopbackProxyStartupFilter>();
                // Added after the service defaults: sees spans as any real exporter would.
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new CollectingExporter(exported))));
            });
        });
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-For", ClientIp);
        client.Http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        var email = NewEmail("traced");

        await client.RegisterAsync(email);
        var access = (await client.LoginAsync(email)).GetProperty("accessToken").GetString()!;
        using (var search = await client.SendAsync(HttpMethod.Get, $"/api/v1/privacy/consents/history?cursor={Uri.EscapeDataString(email)}", access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, search.StatusCode); // the email sat in a query string
        }

        // A server span ends (and is exported) just after its response is sent: wait for the last one.
        Activity[] spans;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            lock (exported)
            {
                spans = [.. exported];
            }
            if (spans.Any(s => s.Kind == ActivityKind.Server && s.DisplayName.EndsWith("/consents/history", StringComparison.Ordinal)) || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(50, Ct);
        }
        var server = spans.Where(s => s.Kind == ActivityKind.Server).ToList();
        Assert.True(server.Count >= 3, $"{server.Count} server spans exported");
        var tags = string.Join(" | ", server.Select(s => string.Join(", ", s.TagObjects.Select(t => $"{t.Key}={t.Value}"))));
        // Activities are process-wide: every test host's tracer provider (each with its own redaction key)
        // sees and redacts the same span, so the token is checked by shape, and the raw value below.
        // Other tests of the assembly register users too, some without a User-Agent: only spans that carry one are checked.
        var mine = server.Where(s => s.DisplayName.EndsWith("/auth/register", StringComparison.Ordinal) && s.GetTagItem("user_agent.original") is not null).ToList();
        Assert.NotEmpty(mine);
        Assert.All(mine, s => Assert.Matches(@"^\d+:[A-Za-z0-9+/]+=*$", s.GetTagItem("user_agent.original") as string ?? ""));
        Assert.True(server.Any(s => s.GetTagItem("url.query") is string query && query.Contains("cursor=[redacted]", StringComparison.Ordinal)), tags);
        foreach (var span in spans)
        {
            var text = string.Join('\n', span.TagObjects.Select(t => $"{t.Key}={t.Value}")
                .Concat(span.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")))
                .Append(span.DisplayName));
            Assert.DoesNotContain(email, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Uri.EscapeDataString(email), text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(ClientIp, text, StringComparison.Ordinal);
            Assert.DoesNotContain("unique-agent-7f3a", text, StringComparison.Ordinal);
            Assert.DoesNotContain(access, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/api?a=1&b=x%40y.z", "/api?a=[redacted]&b=[redacted]")]
    [InlineData("?access_token=abc", "?access_token=[redacted]")]
    [InlineData("access_token=abc&flag", "access_token=[redacted]&[redacted]")]
    [InlineData("/no/query", "/no/query")]
    public void Query_values_are_replaced_and_names_kept(string value, string expected) =>
        Assert.Equal(expected, PersonalDataActivityProcessor.RedactQuery(value));

    private sealed class CollectingExporter(List<Activity> sink) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            lock (sink)
            {
                foreach (var activity in batch)
                {
                    sink.Add(activity);
                }
            }
            return ExportResult.Success;
        }
    }
}
