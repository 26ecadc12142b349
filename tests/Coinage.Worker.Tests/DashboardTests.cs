using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Coinage.Worker.Tests;

public sealed class DashboardTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task The_dashboard_opens_to_loopback_requests_in_development()
    {
        // Only with the opt-in convenience; by default an Admin ticket is needed (Hangfire/DashboardTicketTests).
        await using var factory = new WorkerFactory(infrastructure).WithWebHostBuilder(b => b.UseSetting("Coinage:Hangfire:AllowLocalAnonymous", "true"));

        Assert.Equal(StatusCodes.Status200OK, await GetDashboardAsync(factory, IPAddress.Loopback));
        Assert.Equal(StatusCodes.Status200OK, await GetDashboardAsync(factory, IPAddress.IPv6Loopback));
    }

    [Fact]
    public async Task The_dashboard_is_closed_to_other_machines()
    {
        await using var factory = new WorkerFactory(infrastructure);

        Assert.Equal(StatusCodes.Status401Unauthorized, await GetDashboardAsync(factory, IPAddress.Parse("10.1.2.3")));
        Assert.Equal(StatusCodes.Status401Unauthorized, await GetDashboardAsync(factory, null));
    }

    [Fact]
    public async Task The_dashboard_is_closed_outside_development_even_to_loopback()
    {
        await using var factory = new WorkerFactory(infrastructure, "Production");

        Assert.Equal(StatusCodes.Status401Unauthorized, await GetDashboardAsync(factory, IPAddress.Loopback));
    }

    private static async Task<int> GetDashboardAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory, IPAddress? remote)
    {
        var context = await factory.Server.SendAsync(http =>
        {
            http.Request.Method = HttpMethods.Get;
            http.Request.Path = "/hangfire";
            http.Connection.RemoteIpAddress = remote;
        }, TestContext.Current.CancellationToken);
        return context.Response.StatusCode;
    }
}
