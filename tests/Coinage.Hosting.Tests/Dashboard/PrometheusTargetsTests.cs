using System.Text.Json;

namespace Coinage.Hosting.Tests.Dashboard;

/// <summary>Prometheus, started by the orchestrator, scrapes every project the model generated a target for.</summary>
[Collection(DashboardAppCollection.Name)]
public sealed class PrometheusTargetsTests(DashboardAppFixture fixture)
{
    [Fact]
    public async Task Every_generated_scrape_target_is_up()
    {
        using var prometheus = fixture.App.CreateHttpClient("prometheus");
        var expected = new[] { "apiservice", "worker", "webfrontend" };
        List<(string Job, string Health, string Error)> targets = [];
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var document = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/targets?state=active", TestContext.Current.CancellationToken));
            targets = document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                .Select(t => (t.GetProperty("labels").GetProperty("job").GetString()!, t.GetProperty("health").GetString()!, t.GetProperty("lastError").GetString() ?? ""))
                .ToList();
            if (expected.All(job => targets.Any(t => t.Job == job)) && targets.All(t => t.Health == "up"))
            {
                break;
            }
            await Task.Delay(1000, TestContext.Current.CancellationToken);
        }

        Assert.Equal(expected.Order(), targets.Select(t => t.Job).Distinct().Order());
        Assert.All(targets, t => Assert.True(t.Health == "up", $"{t.Job} is {t.Health}: {t.Error}"));
    }

    [Fact]
    public async Task The_alert_rules_of_the_repository_are_loaded()
    {
        using var prometheus = fixture.App.CreateHttpClient("prometheus");

        using var document = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/rules", TestContext.Current.CancellationToken));

        var alerts = document.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray())
            .Select(r => r.GetProperty("name").GetString())
            .ToList();
        Assert.Contains("ResourceDown", alerts);
        Assert.Contains("ReconciliationFailures", alerts);
        Assert.Contains("SettlementLagHigh", alerts);
    }
}
