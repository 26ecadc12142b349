using System.Net;
using Hangfire.Dashboard;

namespace Coinage.Worker.Hangfire;

/// <summary>
/// The dashboard can trigger and delete jobs, so until it sits behind the Admin role it opens
/// only in Development and only to requests from this machine. (A reverse proxy on the same
/// machine would make every request look local; none fronts the worker in Development.)
/// </summary>
public sealed class LocalDevelopmentDashboardAuthorizationFilter(IHostEnvironment environment) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!environment.IsDevelopment())
        {
            return false;
        }
        var remote = context.GetHttpContext().Connection.RemoteIpAddress;
        if (remote is { IsIPv4MappedToIPv6: true })
        {
            remote = remote.MapToIPv4();
        }
        return remote is not null && IPAddress.IsLoopback(remote);
    }
}
