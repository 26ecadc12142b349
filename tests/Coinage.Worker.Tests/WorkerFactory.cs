using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Coinage.Worker.Tests;

/// <summary>The Worker in-process, configured the way the AppHost configures it.</summary>
public sealed class WorkerFactory(string postgres, string redis, string environment = "Development") : WebApplicationFactory<Program>
{
    public WorkerFactory(InfrastructureFixture infrastructure, string environment = "Development")
        : this(infrastructure.PostgresConnectionString, infrastructure.RedisConnectionString, environment)
    {
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("ConnectionStrings:coinagedb", postgres);
        builder.UseSetting("ConnectionStrings:redis", redis);
        builder.UseSetting("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=worker-test,service.namespace=coinage");
    }
}
