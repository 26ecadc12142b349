using System.Diagnostics.Metrics;
using System.Net;
using Coinage.ApiService.Tests.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Observability;

public sealed class IdentityMetricsTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Sign_ins_registrations_and_rate_limit_rejections_are_counted()
    {
        await using var factory = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Coinage:RateLimits:Policies:email-ip:Limit"] = "1",
        });
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var meters = factory.Services.GetRequiredService<IMeterFactory>();
        using var signIns = new MetricCollector<long>(meters, "Coinage.Identity", "coinage.identity.sign_ins");
        using var registrations = new MetricCollector<long>(meters, "Coinage.Identity", "coinage.identity.registrations");
        using var rejections = new MetricCollector<long>(meters, "Coinage.Security", "coinage.rate_limit.rejections");
        var email = NewEmail("metrics");

        await client.RegisterAsync(email);
        await client.LoginAsync(email);
        using (var wrong = await client.PostAsync("/api/v1/auth/login", new { email, password = "certainly not the password 9" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using (var unknown = await client.PostAsync("/api/v1/auth/login", new { email = NewEmail("nobody"), password = Password }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }
        for (var i = 0; i < 2; i++)
        {
            using var forgot = await client.PostAsync("/api/v1/auth/forgot-password", new { email });
            Assert.Equal(i == 0 ? HttpStatusCode.Accepted : HttpStatusCode.TooManyRequests, forgot.StatusCode);
        }

        Assert.Equal(1, registrations.GetMeasurementSnapshot().EvaluateAsCounter());
        var byResult = signIns.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["result"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(1, byResult["success"]);
        Assert.Equal(2, byResult["invalid_credentials"]);
        var rejection = Assert.Single(rejections.GetMeasurementSnapshot());
        Assert.Equal("email-ip", rejection.Tags["policy"]);
        Assert.Equal(1, rejection.Value);
    }
}
