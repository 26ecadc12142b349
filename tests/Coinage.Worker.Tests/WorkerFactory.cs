using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Coinage.Worker.Tests;

/// <summary>The Worker in-process, configured the way the AppHost configures it.</summary>
public sealed class WorkerFactory(string postgres, string redis, string environment = "Development", string? smtp = null) : WebApplicationFactory<Program>
{
    public const string WebBaseUrl = "http://web.coinage.test:8080";

    public WorkerFactory(InfrastructureFixture infrastructure, string environment = "Development", string? smtp = null)
        : this(infrastructure.PostgresConnectionString, infrastructure.RedisConnectionString, environment, smtp ?? infrastructure.SmtpConnectionString)
    {
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("ConnectionStrings:coinagedb", postgres);
        builder.UseSetting("ConnectionStrings:redis", redis);
        if (smtp is not null)
        {
            builder.UseSetting("ConnectionStrings:smtp", smtp);
        }
        builder.UseSetting("Coinage:WebBaseUrl", WebBaseUrl);
        builder.UseSetting("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=worker-test,service.namespace=coinage");
    }
}
