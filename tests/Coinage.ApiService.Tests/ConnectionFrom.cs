using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Coinage.ApiService.Tests;

/// <summary>Makes every request of a test host come from <paramref name="peer"/> (TestServer's connections have no address of their own).</summary>
public sealed class ConnectionFrom(IPAddress peer) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((HttpContext context, RequestDelegate nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = peer;
            return nextMiddleware(context);
        });
        next(app);
    };
}
