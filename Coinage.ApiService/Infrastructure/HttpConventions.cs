using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Coinage.ApiService.Infrastructure;

/// <summary>
/// What every endpoint of the API gets without asking: RFC 9457 problem details in JSON for every
/// error (exceptions, bare status codes such as 404, oversized bodies), whatever the Accept header
/// asks for, a request body limit, and no control characters in query or route values.
/// </summary>
internal static class HttpConventions
{
    /// <summary>64 KiB: far above any JSON command of the API, small enough to blunt floods of large bodies.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static WebApplicationBuilder AddHttpConventions(this WebApplicationBuilder builder)
    {
        builder.AddJsonProblemDetails();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        return builder;
    }

    public static WebApplication UseHttpConventions(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseMiddleware<MalformedRequestMiddleware>();
        return app;
    }
}
