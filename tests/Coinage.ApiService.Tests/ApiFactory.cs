using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Coinage.ApiService.Tests;

/// <summary>The ApiService in-process, configured the way the AppHost configures it.</summary>
public sealed class ApiFactory(string postgres, string redis) : WebApplicationFactory<Program>
{
    public ApiFactory(InfrastructureFixture infrastructure)
        : this(infrastructure.PostgresConnectionString, infrastructure.RedisConnectionString)
    {
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:coinagedb", postgres);
        builder.UseSetting("ConnectionStrings:redis", redis);
    }
}
