using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Coinage.ApiService.Security;

/// <summary>
/// Transport and browser hardening of the API: security headers, CORS closed unless origins are
/// configured (<c>Coinage:Cors:AllowedOrigins</c>), HSTS and HTTPS redirection outside
/// Development, client IPs from the configured proxies only (the web front end's YARP, the ingress), shared rate limits,
/// and malformed bodies answered as 400 problem details naming the field.
/// </summary>
internal static class SecurityFeatures
{
    public const string CorsPolicy = "coinage";

    public static WebApplicationBuilder AddSecurityFeatures(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<RateLimitSettings>(builder.Configuration.GetSection(RateLimitSettings.Section));
        builder.Services.AddSingleton<RedisRateLimiter>();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Always throw on bad request bodies, so the handler above words the answer in every environment.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        var origins = builder.Configuration.GetSection("Coinage:Cors:AllowedOrigins").Get<string[]>() ?? [];
        builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy =>
        {
            if (origins.Length > 0)
            {
                policy.WithOrigins(origins).AllowAnyHeader().AllowAnyMethod().AllowCredentials();
            }
        }));
        builder.Services.AddHsts(hsts =>
        {
            hsts.MaxAge = TimeSpan.FromDays(365);
            hsts.IncludeSubDomains = true;
        });
        return builder;
    }

    public static WebApplication UseSecurityFeatures(this WebApplication app)
    {
        // Believed only from the proxies in Coinage:ForwardedHeaders (ServiceDefaults): the web front end, the ingress.
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
            if (app.Configuration.GetValue("Coinage:Security:RedirectToHttps", true))
            {
                app.UseHttpsRedirection();
            }
        }
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            // The API answers JSON only; the API reference page needs its own scripts and styles.
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/scalar")
                ? "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' https://cdn.jsdelivr.net; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; font-src 'self' data: https://fonts.gstatic.com; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
                : "default-src 'none'; frame-ancestors 'none'";
            await next(context).ConfigureAwait(false);
        });
        app.UseNoStoreForPrivateResponses();
        app.UseCors(CorsPolicy);
        return app;
    }
}

/// <summary>
/// Malformed JSON, wrong types and unreadable bodies: 400 validation problem naming the field
/// (from the JSON path), instead of an anonymous 400.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }
        var field = badRequest.InnerException is JsonException { Path: { Length: > 1 } path }
            ? JsonPathToField(path)
            : "body";
        var message = badRequest.InnerException is JsonException
            ? "The value is missing, malformed or of the wrong type."
            : badRequest.Message;
        httpContext.Response.StatusCode = badRequest.StatusCode;
        var problem = new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = badRequest.StatusCode,
            Title = badRequest.StatusCode == StatusCodes.Status400BadRequest ? "One or more validation errors occurred." : "Bad request",
            Type = Identity.Problems.TypeBase + Identity.ErrorCodes.ValidationFailed,
            Extensions = { ["code"] = Identity.ErrorCodes.ValidationFailed },
        };
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception }).ConfigureAwait(false);
    }

    /// <summary><c>$.email</c> → <c>email</c>; <c>$</c> (the whole body) → <c>body</c>.</summary>
    internal static string JsonPathToField(string path)
    {
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length == 0 ? "body" : char.ToLowerInvariant(field[0]) + field[1..];
    }
}
