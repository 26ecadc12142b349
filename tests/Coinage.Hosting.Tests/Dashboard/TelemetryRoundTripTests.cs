using System.Net;
using Coinage.Hosting.Dashboard;
using Coinage.Hosting.Otlp;

namespace Coinage.Hosting.Tests.Dashboard;

/// <summary>Real services export spans, logs and metrics over OTLP; the dashboard's API returns them.</summary>
[Collection(DashboardAppCollection.Name)]
public sealed class TelemetryRoundTripTests(DashboardAppFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("apiservice")] // OTLP/gRPC
    [InlineData("apihttp")]    // OTLP/HTTP with protobuf bodies
    public async Task A_real_service_exports_a_span_a_log_and_a_metric_that_the_dashboard_api_returns(string resource)
    {
        using var service = fixture.App.CreateHttpClient(resource);
        using (var response = await service.GetAsync("/api/v1/status", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using var dashboard = await DashboardTestClient.SignedInAsync(fixture.Dashboard);

        var traces = await DashboardTestClient.EventuallyAsync(async () =>
            await dashboard.GetJsonAsync<TracesPage>($"/api/traces?resource={resource}&text=status") is { Items.Count: > 0 } page ? page : null,
            Patience, $"a trace of GET /api/v1/status from {resource}");
        var trace = await dashboard.GetJsonAsync<TraceView>($"/api/traces/{traces.Items[0].TraceId}");
        var logs = await DashboardTestClient.EventuallyAsync(async () =>
            await dashboard.GetJsonAsync<LogsPage>($"/api/logs?resource={resource}") is { Items.Count: > 0 } page ? page : null,
            Patience, $"a log record from {resource}");
        var instrument = await DashboardTestClient.EventuallyAsync(async () =>
        {
            var response = await dashboard.GetAsync($"/api/metrics/{resource}/http.server.request.duration", TestContext.Current.CancellationToken);
            return response.IsSuccessStatusCode ? await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<InstrumentView>(response.Content, TestContext.Current.CancellationToken) : null;
        }, Patience, $"http.server.request.duration from {resource}");

        Assert.NotNull(trace);
        var server = Assert.Single(trace.Spans, s => s.Kind == "Server" && s.Resource == resource && s.Name.Contains("/api/v1/status", StringComparison.Ordinal));
        Assert.Contains(server.Attributes, a => a.Key == "http.response.status_code" && a.Value == "200");
        Assert.All(logs.Items, l => Assert.Equal(resource, l.Resource));
        Assert.Contains(logs.Items, l => l.Message.Length > 0 && l.Category.Length > 0);
        Assert.Equal("Histogram", instrument.Instrument.Type);
        Assert.Contains(instrument.Series, s => s.Points.Any(p => p.Count > 0));
    }

    [Fact]
    public async Task A_request_through_the_web_front_end_is_one_trace_across_web_api_and_postgresql()
    {
        using var web = fixture.App.CreateHttpClient("webfrontend");
        using (var response = await web.GetAsync("/api/v1/status", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using var dashboard = await DashboardTestClient.SignedInAsync(fixture.Dashboard);

        var trace = await DashboardTestClient.EventuallyAsync(async () =>
        {
            var page = await dashboard.GetJsonAsync<TracesPage>("/api/traces?resource=webfrontend&text=status");
            var candidate = page?.Items.FirstOrDefault(t => t.Resources.Contains("apiservice"));
            return candidate is null ? null : await dashboard.GetJsonAsync<TraceView>($"/api/traces/{candidate.TraceId}");
        }, TimeSpan.FromSeconds(30), "a trace from webfrontend through apiservice");

        var root = trace.Spans[0];
        Assert.Equal("webfrontend", root.Resource);
        Assert.Equal(0, root.Depth);
        var apiServer = Assert.Single(trace.Spans, s => s.Resource == "apiservice" && s.Kind == "Server");
        Assert.True(apiServer.Depth > root.Depth, "the API's server span is a descendant of the web's");
        Assert.InRange(apiServer.OffsetMs, 0, trace.DurationMs);
    }
}
