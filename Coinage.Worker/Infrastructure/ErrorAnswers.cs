using Coinage.Worker.Hangfire;

namespace Coinage.Worker.Infrastructure;

/// <summary>
/// The Worker's own endpoints (probes, metrics, anything unknown) answer errors as JSON problem
/// details, like the API. The Hangfire dashboard is an HTML user interface with its own way of
/// refusing a visitor (<see cref="DashboardAccess"/>), so bare statuses there are left to it.
/// </summary>
internal static class ErrorAnswers
{
    public static WebApplication UseErrorAnswers(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseWhen(
            static context => !context.Request.Path.StartsWithSegments(HangfireExtensions.DashboardPath),
            static branch => branch.UseStatusCodePages());
        return app;
    }
}
