using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace Coinage.ApiService.Tests;

/// <summary>The ApiService in-process, configured the way the AppHost configures it.</summary>
public sealed class ApiFactory(string postgres, string redis, IReadOnlyDictionary<string, string?>? settings = null, Action<IWebHostBuilder>? configure = null)
    : WebApplicationFactory<Program>
{
    /// <summary>A test-only key, shared by every factory so tokens work across "replicas".</summary>
    public const string JwtSigningKey = "test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";

    public ApiFactory(InfrastructureFixture infrastructure, IReadOnlyDictionary<string, string?>? settings = null, Action<IWebHostBuilder>? configure = null)
        : this(infrastructure.PostgresConnectionString, infrastructure.RedisConnectionString, settings, configure)
    {
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:coinagedb", postgres);
        builder.UseSetting("ConnectionStrings:redis", redis);
        builder.UseSetting("Coinage:Jwt:SigningKey", JwtSigningKey);
        // Only to keep the suite fast; the production default (12) is asserted by a test.
        builder.UseSetting("Coinage:Identity:BcryptWorkFactor", "10");
        // As the AppHost does: the web front end, on loopback, is the proxy whose X-Forwarded-For is believed.
        builder.UseSetting("Coinage:ForwardedHeaders:KnownProxies", "127.0.0.1");
        // Each factory counts in its own keys, with budgets no test reaches unless it means to.
        builder.UseSetting("Coinage:RateLimits:KeyPrefix", $"test:{Guid.NewGuid():N}");
        foreach (var policy in new[] { "sign-in-ip", "sign-in-account", "register-ip", "email-ip", "user", "refresh-session", "export-user", "api-key" })
        {
            builder.UseSetting($"Coinage:RateLimits:Policies:{policy}:Limit", "100000");
            builder.UseSetting($"Coinage:RateLimits:Policies:{policy}:Window", "00:01:00");
        }
        // A saved withdrawal address is usable at once, unless the test is about the hold (and sets its own).
        builder.UseSetting("Coinage:Withdrawals:NewAddressHold", "00:00:00");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
        configure?.Invoke(builder);
    }

    /// <summary>Started (the API migrates its database before serving), then the seeded markets' risk limits lifted (<see cref="InfrastructureFixture.LiftSeededRiskLimitsAsync"/>).</summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        InfrastructureFixture.LiftSeededRiskLimitsAsync(postgres).GetAwaiter().GetResult();
        return host;
    }
}
